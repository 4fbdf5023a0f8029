package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// prepared is a stage whose key is known: its upstream stages are done.
type prepared struct {
	stage     *Stage
	parts     KeyParts
	key       artifacts.Key
	params    json.RawMessage
	filePaths map[string]string // a kind's FileDep.Name -> absolute path
}

// outputsOf maps a finished stage name to its output digests.
type outputsOf map[string]map[string]artifacts.Digest

// prepare computes the key of s from the output digests of its upstream
// stages and the digests of its external files.
func (e *Engine) prepare(ctx context.Context, s *Stage, done outputsOf) (*prepared, error) {
	fp, err := fingerprintOf(e.cfg.Fingerprints, s)
	if err != nil {
		return nil, err
	}
	p := &prepared{stage: s, parts: KeyParts{Kind: s.KindName(), Fingerprint: fp, Params: s.Params,
		Inputs: map[string]artifacts.Digest{}, KeyInputs: map[string]artifacts.Digest{},
		Files: map[string]artifacts.Digest{}, Outputs: s.Outputs},
		filePaths: map[string]string{}}
	names, refs := s.inputPairs()
	for i, n := range names {
		d, ok := done[refs[i].Stage][refs[i].Output]
		if !ok {
			return nil, fmt.Errorf("stage %q: input %s: %s has not produced %q", s.Name, n, refs[i].Stage, refs[i].Output)
		}
		p.parts.Inputs[n] = d
		kd, err := e.keyDigest(ctx, n, refs[i].Stage, refs[i].Output, d)
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, fmt.Errorf("stage %q: %w", s.Name, err)
		} else if err != nil {
			return nil, fmt.Errorf("stage %q: input %s: %w", s.Name, n, err)
		}
		if kd != d {
			p.parts.KeyInputs[n] = kd
		}
	}
	if err := e.fileDeps(ctx, p); err != nil {
		return nil, err
	}
	p.key, p.params, err = p.parts.Key()
	return p, err
}

// fileDeps digests a kind's data files (relative to the data directory) and
// the stage's deps: (relative to the pipelines file).
func (e *Engine) fileDeps(ctx context.Context, p *prepared) error {
	s := p.stage
	if s.Impl != nil && s.Impl.Files != nil {
		deps, err := s.Impl.Files(s.Params)
		if err != nil {
			return fmt.Errorf("stage %q: data files: %w", s.Name, err)
		}
		for _, d := range deps {
			abs := d.Path
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(e.cfg.DataDir, abs)
			}
			dg, err := e.files.digest(ctx, abs)
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%w: stage %q reads %s from %s, which does not exist; run `pipe fetch-data` (or set --data-dir / PIPE_DATA_DIR)", ErrMissingFile, s.Name, d.Name, abs)
			} else if err != nil {
				return fmt.Errorf("stage %q: data file %s: %w", s.Name, abs, err)
			}
			p.parts.Files[d.Name] = dg
			p.filePaths[d.Name] = abs
		}
	}
	for _, dep := range s.Deps {
		dg, err := e.files.digest(ctx, filepath.Join(e.cfg.File.Dir, dep))
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: stage %q: deps: %s does not exist (paths are relative to %s)", ErrMissingFile, s.Name, dep, e.cfg.File.Dir)
		} else if err != nil {
			return fmt.Errorf("stage %q: deps: %s: %w", s.Name, dep, err)
		}
		p.parts.Files[dep] = dg
	}
	return nil
}

// lookup returns the record for key if it exists, with the name of the
// first output whose object is missing ("" if all are present). A record
// whose outputs are all present means the stage is cached.
func (e *Engine) lookup(ctx context.Context, key artifacts.Key) (*artifacts.RunRecord, string, error) {
	rec, err := e.cfg.Store.GetRecord(ctx, key)
	if errors.Is(err, artifacts.ErrNotFound) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", err
	}
	for _, name := range keysOf(rec.Outputs) {
		ok, err := e.cfg.Store.Has(ctx, rec.Outputs[name])
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return rec, name, nil
		}
	}
	return rec, "", nil
}

// StageStatus says whether a stage is cached, and if not, why it will run.
type StageStatus struct {
	Name   string
	Cached bool
	Reason string        // why it will run; "" when cached
	Key    artifacts.Key // "" when an upstream stage must run first
	// Backend is the numeric backend the cached result was produced on
	// ("" for shell stages and records older than the field).
	Backend string
}

// Status plans the targets without running anything: each stage in the
// closure is cached, or stale with the reason. A stage below a stale stage
// is reported stale ("upstream stage X will run"); at run time it may still
// turn out cached if X writes the same bytes again (early cutoff).
func (e *Engine) Status(ctx context.Context, names []string) ([]StageStatus, error) {
	defer e.files.memoize()()
	targets, err := e.cfg.File.Targets(names)
	if err != nil {
		return nil, err
	}
	done := outputsOf{}
	stale := map[string]bool{}
	var out []StageStatus
	for _, name := range e.cfg.File.Closure(targets) {
		s := e.cfg.File.Stages[name]
		st := StageStatus{Name: name}
		for _, u := range s.Upstream() {
			if stale[u] {
				st.Reason = fmt.Sprintf("upstream stage %s will run", u)
				break
			}
		}
		if st.Reason == "" {
			p, err := e.prepare(ctx, s, done)
			if errors.Is(err, ErrMissingFile) {
				st.Reason = err.Error()
				stale[name] = true
				out = append(out, st)
				continue
			} else if up, reason, ok := corruptInput(s, err); ok {
				// The run quarantines the object and reruns its producer.
				markStale(out, up, reason)
				stale[up], stale[name] = true, true
				st.Reason = fmt.Sprintf("upstream stage %s will run (%s)", up, reason)
				out = append(out, st)
				continue
			} else if err != nil {
				return nil, err
			}
			st.Key = p.key
			rec, missing, err := e.lookup(ctx, p.key)
			if err != nil {
				return nil, err
			}
			if rec != nil && missing == "" {
				st.Cached, st.Backend = true, rec.Backend
				done[name] = rec.Outputs
			} else {
				st.Reason = e.explain(ctx, p, rec, missing)
			}
		}
		stale[name] = !st.Cached
		out = append(out, st)
	}
	return out, e.Close(ctx)
}

// corruptInput reports whether err is a corrupt input of stage s, with the
// stage that produced it and why that stage will run again.
func corruptInput(s *Stage, err error) (producer, reason string, ok bool) {
	var ie *InputError
	if !errors.As(err, &ie) || !errors.Is(err, artifacts.ErrCorrupt) {
		return "", "", false
	}
	names, refs := s.inputPairs()
	for i, n := range names {
		if n == ie.Input {
			return refs[i].Stage, fmt.Sprintf("its output %s (object %s) is corrupt", refs[i].Output, ie.Digest.Short()), true
		}
	}
	return "", "", false
}

// markStale turns the status of stage name, already planned as cached,
// into stale with the reason.
func markStale(out []StageStatus, name, reason string) {
	for i := range out {
		if out[i].Name == name && out[i].Cached {
			out[i].Cached, out[i].Backend, out[i].Reason = false, "", reason
		}
	}
}

// lastRecord returns the record of the stage's latest successful run (the
// stages/<name> reference), or nil.
func (e *Engine) lastRecord(ctx context.Context, stage string) *artifacts.RunRecord {
	key, err := e.cfg.Store.GetRef(ctx, stageRef(stage))
	if err != nil {
		return nil
	}
	rec, err := e.cfg.Store.GetRecord(ctx, artifacts.Key(key))
	if err != nil {
		return nil
	}
	return rec
}

func stageRef(stage string) string { return "stages/" + stage }
func logRef(stage string) string   { return "logs/" + stage }
