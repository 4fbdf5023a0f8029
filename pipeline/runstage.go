package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// runStage brings one stage up to date: compute its key, return the cached
// result if the store has it, otherwise lock the key (another process may be
// producing it), look again, execute, store the record and move the refs.
func (e *Engine) runStage(ctx context.Context, s *Stage, ups outputsOf, force bool, emit func(Event)) *StageResult {
	r := &StageResult{Name: s.Name}
	fail := func(err error) *StageResult {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			r.Status, r.Err = StatusInterrupted, err
			emit(Event{Type: EventInterrupted, Stage: s.Name, Err: err, Duration: r.Duration})
			return r
		}
		r.Status, r.Err = StatusFailed, err
		emit(Event{Type: EventFailed, Stage: s.Name, Err: err, LogTail: r.LogTail, Duration: r.Duration})
		return r
	}
	p, err := e.prepare(ctx, s, ups)
	if err != nil {
		return fail(err)
	}
	r.Key = p.key
	if rec, missing, err := e.lookup(ctx, p.key); err != nil {
		return fail(err)
	} else if rec != nil && missing == "" && !force {
		return e.cached(ctx, r, rec, false, emit)
	}
	r.Reason = e.explain(ctx, p, nil, "")
	if force {
		r.Reason = "forced"
	}
	unlock, err := e.cfg.Store.Lock(ctx, "keys/"+string(p.key))
	if err != nil {
		return fail(err)
	}
	defer unlock()
	rec, missing, err := e.lookup(ctx, p.key)
	if err != nil {
		return fail(err)
	} else if rec != nil && missing == "" && !force {
		return e.cached(ctx, r, rec, true, emit)
	} else if rec != nil && !force {
		r.Reason = e.explain(ctx, p, rec, missing)
	}
	emit(Event{Type: EventStarted, Stage: s.Name, Reason: r.Reason})
	rec, err = e.execute(ctx, p, emit)
	if rec != nil {
		r.Duration = time.Duration(rec.DurationSec * float64(time.Second))
	}
	if err != nil {
		if rec != nil && rec.Log != "" {
			r.LogTail = e.logTail(ctx, rec.Log, 20)
		}
		if !strings.HasPrefix(err.Error(), "stage "+s.Name+":") && !strings.HasPrefix(err.Error(), fmt.Sprintf("stage %q:", s.Name)) {
			err = fmt.Errorf("stage %s: %w", s.Name, err)
		}
		return fail(err)
	}
	r.Status, r.Outputs = StatusRan, rec.Outputs
	emit(Event{Type: EventRan, Stage: s.Name, Duration: r.Duration})
	return r
}

// cached reports a stage found in the store and points its stage ref at the
// record, so that status reasons compare against the result in use.
func (e *Engine) cached(ctx context.Context, r *StageResult, rec *artifacts.RunRecord, reused bool, emit func(Event)) *StageResult {
	r.Status, r.Outputs, r.Backend = StatusCached, rec.Outputs, rec.Backend
	if cur, err := e.cfg.Store.GetRef(ctx, stageRef(r.Name)); err != nil || string(cur) != string(rec.Key) {
		if err := e.cfg.Store.SetRef(ctx, stageRef(r.Name), []byte(rec.Key)); err != nil {
			r.Status, r.Err = StatusFailed, err
			emit(Event{Type: EventFailed, Stage: r.Name, Err: err})
			return r
		}
	}
	emit(Event{Type: EventCached, Stage: r.Name, Reused: reused})
	return r
}

// failedLog is the value of a logs/<stage> ref: the log of the latest
// failed run, kept because failed runs write no record.
type failedLog struct {
	Key   artifacts.Key    `json:"key"`
	Log   artifacts.Digest `json:"log"`
	Error string           `json:"error"`
	Time  time.Time        `json:"time"`
}

// execute runs the task and, on success, writes the record and refs. The
// returned record carries the log and timing even on failure.
func (e *Engine) execute(ctx context.Context, p *prepared, emit func(Event)) (*artifacts.RunRecord, error) {
	s := p.stage
	task := &Task{Stage: s.Name, Key: p.key, Kind: s.Impl, Run: s.Run, Dir: e.cfg.File.Dir, Params: s.Params,
		Inputs: p.parts.Inputs, Files: p.filePaths, Outputs: s.Outputs, Class: s.Class,
		Progress: func(done, total int64, unit string) {
			emit(Event{Type: EventProgress, Stage: s.Name, Done: done, Total: total, Unit: unit})
		}}
	rec := e.newRecord(p)
	rec.Start = time.Now().UTC()
	res, err := e.cfg.Executor.Execute(ctx, task)
	rec.End = time.Now().UTC()
	rec.DurationSec = rec.End.Sub(rec.Start).Seconds()
	if res != nil {
		rec.Log, rec.PeakRSS, rec.Outputs = res.Log, res.PeakRSS, res.Outputs
	}
	// What follows records a finished run; it must complete even if the
	// user interrupts now, or the work would be lost for no reason.
	wctx := context.WithoutCancel(ctx)
	if err == nil {
		err = checkOutputs(s, rec.Outputs)
	}
	if err != nil {
		if ctx.Err() == nil {
			b, _ := json.Marshal(failedLog{Key: p.key, Log: rec.Log, Error: err.Error(), Time: rec.End})
			_ = e.cfg.Store.SetRef(wctx, logRef(s.Name), b)
		}
		return rec, err
	}
	if err := e.cfg.Store.PutRecord(wctx, rec); err != nil {
		return rec, err
	}
	if err := e.cfg.Store.SetRef(wctx, stageRef(s.Name), []byte(p.key)); err != nil {
		return rec, err
	}
	if err := e.cfg.Store.DeleteRef(wctx, logRef(s.Name)); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
		return rec, err
	}
	return rec, nil
}

// checkOutputs holds an executor to its contract: exactly the declared outputs.
func checkOutputs(s *Stage, got map[string]artifacts.Digest) error {
	for _, o := range s.Outputs {
		if _, ok := got[o]; !ok {
			return fmt.Errorf("%w: %s", ErrMissingOutput, o)
		}
	}
	if len(got) != len(s.Outputs) {
		return fmt.Errorf("executor returned outputs %v, declared %v", keysOf(got), s.Outputs)
	}
	return nil
}

// logTail returns the last n lines of a stored log.
func (e *Engine) logTail(ctx context.Context, d artifacts.Digest, n int) string {
	b, err := e.cfg.Store.Get(context.WithoutCancel(ctx), d)
	if err != nil {
		return ""
	}
	b = bytes.TrimRight(b, "\n")
	lines := strings.Split(string(b), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
