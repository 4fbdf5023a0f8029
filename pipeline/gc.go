package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// GCReport says what a garbage collection removed (or would remove).
type GCReport struct {
	KeptRecords, KeptObjects       int
	RemovedRecords, RemovedObjects int
	RemovedBytes                   int64
	RemovedRefs                    []string
}

// GC removes every record and object not reachable from the latest run of a
// pipeline or stage of the file (its pipelines/<name>/<profile> references,
// under any profile), plus references to what is gone. Reachable are the
// records of those runs, their output and log objects, and the logs of
// failed runs of stages still in the file. References outside the store
// view's namespace (other projects sharing the store, see ProjectNamespace)
// are roots too: every key or digest they hold is kept. With dryRun
// nothing is removed.
//
// The caller must hold artifacts.StoreLock exclusively (`pipe gc` does):
// runs hold it shared, and a run's new records are referenced only when it
// ends. Lock files of the deleted keys are removed as well.
func GC(ctx context.Context, s artifacts.Store, f *File, dryRun bool) (*GCReport, error) {
	keep, objs, drop, err := gcRoots(ctx, s, f)
	if err != nil {
		return nil, err
	}
	if err := foreignRoots(ctx, s, keep, objs); err != nil {
		return nil, err
	}
	rep := &GCReport{RemovedRefs: drop}
	var deadRecords []artifacts.Key
	err = s.Records(ctx, func(r *artifacts.RunRecord) error {
		if keep[r.Key] {
			rep.KeptRecords++
			for _, d := range r.Outputs {
				objs[d] = true
			}
			if r.Log != "" {
				objs[r.Log] = true
			}
			return nil
		}
		deadRecords = append(deadRecords, r.Key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var deadObjects []artifacts.Digest
	err = s.Objects(ctx, func(d artifacts.Digest, size int64) error {
		if objs[d] {
			rep.KeptObjects++
			return nil
		}
		deadObjects = append(deadObjects, d)
		rep.RemovedBytes += size
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.RemovedRecords, rep.RemovedObjects = len(deadRecords), len(deadObjects)
	stale, err := staleStageRefs(ctx, s, f, keep)
	if err != nil {
		return nil, err
	}
	rep.RemovedRefs = append(rep.RemovedRefs, stale...)
	memos, err := deadMemoRefs(ctx, s, objs)
	if err != nil {
		return nil, err
	}
	rep.RemovedRefs = append(rep.RemovedRefs, memos...)
	if dryRun {
		return rep, nil
	}
	return rep, gcDelete(ctx, s, deadRecords, deadObjects, rep.RemovedRefs)
}

// gcRoots collects the kept keys and log objects, and the references that
// name stages or pipelines no longer in the file.
func gcRoots(ctx context.Context, s artifacts.Refs, f *File) (map[artifacts.Key]bool, map[artifacts.Digest]bool, []string, error) {
	keep := map[artifacts.Key]bool{}
	objs := map[artifacts.Digest]bool{}
	var drop []string
	known := func(name string) bool {
		_, p := f.Pipelines[name]
		_, st := f.Stages[name]
		return p || st || name == allTargets
	}
	err := s.Refs(ctx, "pipelines/", func(name string, value []byte) error {
		target := strings.SplitN(strings.TrimPrefix(name, "pipelines/"), "/", 2)[0]
		if !known(target) {
			drop = append(drop, name)
			return nil
		}
		var keys []artifacts.Key
		if err := json.Unmarshal(value, &keys); err != nil {
			return nil // an unreadable root keeps nothing
		}
		for _, k := range keys {
			keep[k] = true
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	// Cached fingerprints are cheap to recompute, and old builds' entries
	// would otherwise pile up.
	err = s.Refs(ctx, fingerprintCacheRef, func(name string, _ []byte) error {
		drop = append(drop, name)
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	err = s.Refs(ctx, "logs/", func(name string, value []byte) error {
		var fl failedLog
		if _, ok := f.Stages[strings.TrimPrefix(name, "logs/")]; !ok || json.Unmarshal(value, &fl) != nil {
			drop = append(drop, name)
			return nil
		}
		if fl.Log != "" {
			objs[fl.Log] = true
		}
		return nil
	})
	return keep, objs, drop, err
}

// staleStageRefs lists stages/<name> references whose record goes away.
func staleStageRefs(ctx context.Context, s artifacts.Refs, f *File, keep map[artifacts.Key]bool) ([]string, error) {
	var out []string
	err := s.Refs(ctx, "stages/", func(name string, value []byte) error {
		if !keep[artifacts.Key(value)] {
			out = append(out, name)
		}
		return nil
	})
	return out, err
}

// deadMemoRefs lists the key-digest memo references (see measureCacheRef)
// of objects that are not kept. An entry stays true forever (equal digests,
// equal bytes), but one whose object is gone only takes room.
func deadMemoRefs(ctx context.Context, s artifacts.Refs, objs map[artifacts.Digest]bool) ([]string, error) {
	var out []string
	err := s.Refs(ctx, measureCacheRef, func(name string, _ []byte) error {
		if !objs[memoRefDigest(name)] {
			out = append(out, name)
		}
		return nil
	})
	return out, err
}

func gcDelete(ctx context.Context, s artifacts.Store, recs []artifacts.Key, objs []artifacts.Digest, refs []string) error {
	for _, r := range refs {
		if err := s.DeleteRef(ctx, r); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			return err
		}
	}
	rl, _ := s.(interface{ RemoveLock(name string) error })
	for _, k := range recs {
		if err := s.DeleteRecord(ctx, k); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			return err
		}
		if rl != nil {
			if err := rl.RemoveLock(keyLock(k)); err != nil {
				return err
			}
		}
	}
	for _, d := range objs {
		if err := s.Delete(ctx, d); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			return err
		}
	}
	return nil
}

// foreignRoots adds to keep and objs every key and digest held by the
// references of other namespaces of the store (other projects, or
// references written before namespaces existed). Their formats belong to
// whoever wrote them, so any 64-hex-digit run in a value counts.
func foreignRoots(ctx context.Context, s artifacts.Refs, keep map[artifacts.Key]bool, objs map[artifacts.Digest]bool) error {
	fr, ok := s.(interface {
		ForeignRefs(ctx context.Context, fn func(name string, value []byte) error) error
	})
	if !ok {
		return nil
	}
	var roots []string
	err := fr.ForeignRefs(ctx, func(_ string, value []byte) error {
		roots = append(roots, hexRuns(value)...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("gc: other projects' references: %w", err)
	}
	for _, h := range roots {
		keep[artifacts.Key(h)] = true
		objs[artifacts.Digest(h)] = true
	}
	return nil
}

// hexRuns returns the maximal runs of exactly 64 lowercase hex digits in b.
func hexRuns(b []byte) []string {
	var out []string
	start := -1
	for i := 0; i <= len(b); i++ {
		hex := i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] >= 'a' && b[i] <= 'f')
		switch {
		case hex && start < 0:
			start = i
		case !hex && start >= 0:
			if i-start == 64 {
				out = append(out, string(b[start:i]))
			}
			start = -1
		}
	}
	return out
}

// keyLock is the name of the lock a run takes while it computes a key (see
// runStage).
func keyLock(k artifacts.Key) string { return "keys/" + string(k) }
