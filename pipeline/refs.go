package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// allTargets names the pipeline reference of a run without arguments.
const allTargets = "_all"

// PipelineRef is the reference that holds the keys of the latest run of a
// pipeline or stage name under a profile: pipelines/<name>/<profile>.
func PipelineRef(name, profile string) string {
	if name == "" {
		name = allTargets
	}
	if profile == "" {
		profile = "default"
	}
	return "pipelines/" + name + "/" + profile
}

// setPipelineRefs records, for each name run, the keys of its closure that
// have a result. After a failed run the previous keys are kept as well, so
// `pipe gc` never removes the last good results of a stage that just failed.
func (e *Engine) setPipelineRefs(ctx context.Context, names []string, r *Report) error {
	keys := map[string]artifacts.Key{}
	for _, s := range r.Stages {
		if s.Status == StatusRan || s.Status == StatusCached {
			keys[s.Name] = s.Key
		}
	}
	failed := len(r.Failed()) > 0 || ctx.Err() != nil
	if len(names) == 0 {
		names = []string{""}
	}
	for _, n := range names {
		var ts []string
		if n == "" {
			ts = e.cfg.File.sortedStageNames()
		} else {
			ts, _ = e.cfg.File.Targets([]string{n})
		}
		set := map[artifacts.Key]bool{}
		for _, s := range e.cfg.File.Closure(ts) {
			if k, ok := keys[s]; ok {
				set[k] = true
			}
		}
		ref := PipelineRef(n, e.cfg.File.Profile)
		if failed {
			for _, k := range readKeys(ctx, e.cfg.Store, ref) {
				set[k] = true
			}
		}
		if err := setKeys(ctx, e.cfg.Store, ref, set); err != nil {
			return err
		}
	}
	return nil
}

// readKeys returns the keys held by a pipeline reference (none if absent).
func readKeys(ctx context.Context, s artifacts.Refs, ref string) []artifacts.Key {
	b, err := s.GetRef(ctx, ref)
	if err != nil {
		return nil
	}
	var keys []artifacts.Key
	_ = json.Unmarshal(b, &keys)
	return keys
}

// setKeys writes a sorted key list, skipping the write when nothing changed
// (a no-op run then writes nothing at all).
func setKeys(ctx context.Context, s artifacts.Refs, ref string, set map[artifacts.Key]bool) error {
	keys := make([]artifacts.Key, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	b, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	if old, err := s.GetRef(ctx, ref); err == nil && string(old) == string(b) {
		return nil
	} else if err != nil && !errors.Is(err, artifacts.ErrNotFound) {
		return err
	}
	return s.SetRef(ctx, ref, b)
}

// ProjectNamespace is the reference namespace of the pipelines file at
// path: projects/<first 16 hex digits of sha256(absolute path)>. Every
// project (pipelines file) sharing a store keeps its references there, so a
// collection run from one project keeps every other project's results.
func ProjectNamespace(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "projects/" + string(artifacts.DigestOf([]byte(path))[:16])
}

// holdStore takes the store's run lock shared for the length of a run, so
// that `pipe gc` (which takes it exclusively) never collects the records
// and objects a run has written but not yet referenced.
func (e *Engine) holdStore(ctx context.Context) (func() error, error) {
	sl, ok := e.cfg.Store.(artifacts.SharedLocker)
	if !ok {
		return func() error { return nil }, nil
	}
	unlock, err := sl.LockShared(ctx, artifacts.StoreLock)
	if err != nil {
		return nil, fmt.Errorf("run: waiting for `pipe gc` to finish: %w", err)
	}
	return unlock, nil
}
