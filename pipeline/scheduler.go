package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// RunOptions control a run.
type RunOptions struct {
	// Jobs is the number of stages run at once; 0 means runtime.NumCPU().
	Jobs int
	// KeepGoing lets independent branches finish after a stage fails;
	// otherwise no new stage starts after the first failure.
	KeepGoing bool
	// Observe, if not nil, receives every event (one call at a time).
	Observe func(Event)
	// Force, if not nil, says which stages run even when the store has
	// their result (`pipe run --force`, `-F STAGE`).
	Force func(stage string) bool
}

// stageState is the scheduler's view of one stage.
type stageState struct {
	s       *Stage
	waiting int // upstream stages not yet finished
	started bool
	res     StageResult
	retried bool // already re-ran its producer once after a corrupt input
}

// scheduler runs the closure of a set of targets on a worker pool. Only the
// coordinating goroutine (loop) touches the states; workers receive what
// they need and report back on a channel.
type scheduler struct {
	e       *Engine
	opts    RunOptions
	order   []string
	st      map[string]*stageState
	down    map[string][]string
	done    outputsOf
	results chan *StageResult
	obsMu   sync.Mutex
	stopped string // the failure that stopped the run, "" while running
}

func newScheduler(e *Engine, stages []string, opts RunOptions) *scheduler {
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.NumCPU()
	}
	sch := &scheduler{e: e, opts: opts, order: stages, st: map[string]*stageState{},
		down: map[string][]string{}, done: outputsOf{}, results: make(chan *StageResult)}
	for _, n := range stages {
		s := e.cfg.File.Stages[n]
		sch.st[n] = &stageState{s: s, waiting: len(s.Upstream()), res: StageResult{Name: n}}
		for _, u := range s.Upstream() {
			sch.down[u] = append(sch.down[u], n)
		}
	}
	return sch
}

func (sch *scheduler) emit(ev Event) {
	if sch.opts.Observe == nil {
		return
	}
	ev.Time = time.Now()
	sch.obsMu.Lock()
	defer sch.obsMu.Unlock()
	sch.opts.Observe(ev)
}

// loop launches ready stages while there is room and handles results until
// nothing runs and nothing more can start.
func (sch *scheduler) loop(ctx context.Context) {
	var ready []string
	for _, n := range sch.order {
		if sch.st[n].waiting == 0 {
			ready = append(ready, n)
		}
	}
	running := 0
	for {
		for len(ready) > 0 && running < sch.opts.Jobs && sch.stopped == "" && ctx.Err() == nil {
			n := ready[0]
			ready = ready[1:]
			sch.launch(ctx, n)
			running++
		}
		if running == 0 {
			break
		}
		r := <-sch.results
		running--
		ready = append(ready, sch.finish(ctx, r)...)
	}
	sch.skipUnstarted(ctx)
}

// launch hands a stage to a worker goroutine with the output digests of its
// upstream stages.
func (sch *scheduler) launch(ctx context.Context, name string) {
	st := sch.st[name]
	st.started = true
	ups := outputsOf{}
	for _, u := range st.s.Upstream() {
		ups[u] = sch.done[u]
	}
	force := sch.opts.Force != nil && sch.opts.Force(name)
	go func() { sch.results <- sch.e.runStage(ctx, st.s, ups, force, sch.emit) }()
}

// finish records a worker's result and returns the stages it made ready.
func (sch *scheduler) finish(ctx context.Context, r *StageResult) []string {
	st := sch.st[r.Name]
	if r.Status == StatusInterrupted {
		st.res = *r
		return nil
	}
	if r.Status == StatusFailed {
		if again := sch.retryCorrupt(ctx, st, r); again != nil {
			return again
		}
		st.res = *r
		sch.skipBelow(r.Name)
		if !sch.opts.KeepGoing && sch.stopped == "" {
			sch.stopped = r.Name
		}
		return nil
	}
	st.res = *r
	sch.done[r.Name] = r.Outputs
	var ready []string
	for _, d := range sch.down[r.Name] {
		ds := sch.st[d]
		if ds.waiting--; ds.waiting == 0 && !ds.started {
			ready = append(ready, d)
		}
	}
	return ready
}

// retryCorrupt handles a stage that found one of its inputs corrupt: the
// object is quarantined, which un-caches its producer; the producer runs
// again and the stage waits for it. Each stage gets one such retry. The
// input may have been found corrupt by the executor or, for an output with
// measurement columns, while computing the stage's key (keyDigest).
func (sch *scheduler) retryCorrupt(ctx context.Context, st *stageState, r *StageResult) []string {
	producer, _, ok := corruptInput(st.s, r.Err)
	var ie *InputError
	if st.retried || !ok || !errors.As(r.Err, &ie) || ctx.Err() != nil {
		return nil
	}
	if err := sch.e.cfg.Store.Quarantine(ctx, ie.Digest); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
		return nil
	}
	st.retried, st.started = true, false
	for _, d := range sch.down[producer] {
		if ds := sch.st[d]; !ds.started {
			ds.waiting++
		}
	}
	sch.st[producer].started = true
	delete(sch.done, producer)
	return []string{producer}
}

// skipBelow marks every stage downstream of a failed one as skipped.
func (sch *scheduler) skipBelow(failed string) {
	var visit func(string)
	visit = func(n string) {
		for _, d := range sch.down[n] {
			ds := sch.st[d]
			if ds.started || ds.res.Status == StatusSkipped {
				continue
			}
			ds.started = true
			ds.res.Status, ds.res.Reason = StatusSkipped, fmt.Sprintf("upstream stage %s failed", failed)
			sch.emit(Event{Type: EventSkipped, Stage: d, Reason: ds.res.Reason})
			visit(d)
		}
	}
	visit(failed)
}

// skipUnstarted marks what never started after a stop or a cancellation.
func (sch *scheduler) skipUnstarted(ctx context.Context) {
	reason := "run interrupted"
	if sch.stopped != "" {
		reason = fmt.Sprintf("run stopped after stage %s failed (use --keep-going to finish independent stages)", sch.stopped)
	}
	for _, n := range sch.order {
		st := sch.st[n]
		if !st.started {
			st.started = true
			st.res.Status, st.res.Reason = StatusSkipped, reason
			sch.emit(Event{Type: EventSkipped, Stage: n, Reason: reason})
		}
	}
}

// Run runs the named pipelines or stages (none: every stage) and everything
// upstream of them, then, if every stage succeeded, writes the exports of
// the stages it covered. It returns the report and an error wrapping
// ErrStageFailed if a stage failed, or the context's error if the run was
// cancelled. Each name's pipeline reference records the keys in use, for
// `pipe gc`.
func (e *Engine) Run(ctx context.Context, names []string, opts RunOptions) (*Report, error) {
	start := time.Now()
	targets, err := e.cfg.File.Targets(names)
	if err != nil {
		return nil, err
	}
	unlockStore, err := e.holdStore(ctx)
	if err != nil {
		return nil, err
	}
	defer unlockStore()
	closure := e.cfg.File.Closure(targets)
	report := &Report{}
	for attempt := 0; attempt < 2; attempt++ {
		sch := newScheduler(e, closure, opts)
		sch.loop(ctx)
		report.Stages = report.Stages[:0]
		for _, n := range closure {
			r := sch.st[n].res
			report.Stages = append(report.Stages, &r)
		}
		if err = runError(ctx, report); err != nil {
			break
		}
		// An export that met a corrupt object quarantined it; one more
		// pass reruns its producer and exports again.
		var retry bool
		report.Exports, retry, err = e.writeExports(ctx, report)
		if !retry {
			break
		}
	}
	if rerr := e.setPipelineRefs(context.WithoutCancel(ctx), names, report); err == nil && rerr != nil {
		err = rerr
	}
	if serr := e.Close(context.WithoutCancel(ctx)); err == nil && serr != nil {
		err = serr
	}
	report.Elapsed = time.Since(start)
	return report, err
}

func runError(ctx context.Context, r *Report) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed := r.Failed(); len(failed) > 0 {
		names := make([]string, len(failed))
		for i, f := range failed {
			names[i] = f.Name
		}
		return fmt.Errorf("%w: %v", ErrStageFailed, names)
	}
	return nil
}
