package pipeline

import (
	"context"
	"encoding/json"
	"errors"
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
// failed runs of stages still in the file. With dryRun nothing is removed.
func GC(ctx context.Context, s artifacts.Store, f *File, dryRun bool) (*GCReport, error) {
	keep, objs, drop, err := gcRoots(ctx, s, f)
	if err != nil {
		return nil, err
	}
	rep := &GCReport{RemovedRefs: drop}
	var deadRecords []artifacts.Key
	err = s.Records(ctx, func(r *artifacts.Record) error {
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
	if dryRun {
		return rep, nil
	}
	return rep, gcDelete(ctx, s, deadRecords, deadObjects, rep.RemovedRefs)
}

// gcRoots collects the kept keys and log objects, and the references that
// name stages or pipelines no longer in the file.
func gcRoots(ctx context.Context, s artifacts.Store, f *File) (map[artifacts.Key]bool, map[artifacts.Digest]bool, []string, error) {
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
func staleStageRefs(ctx context.Context, s artifacts.Store, f *File, keep map[artifacts.Key]bool) ([]string, error) {
	var out []string
	err := s.Refs(ctx, "stages/", func(name string, value []byte) error {
		if !keep[artifacts.Key(value)] {
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
	for _, k := range recs {
		if err := s.DeleteRecord(ctx, k); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			return err
		}
	}
	for _, d := range objs {
		if err := s.Delete(ctx, d); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			return err
		}
	}
	return nil
}

// VerifyReport lists what Verify found.
type VerifyReport struct {
	Checked int
	Bytes   int64
	Bad     []artifacts.Digest // corrupt objects, now quarantined
}

// Verify re-hashes every object of the store and quarantines those whose
// bytes no longer match their digest; the stages that produced them rerun
// on the next `pipe run`.
func Verify(ctx context.Context, s artifacts.Store) (*VerifyReport, error) {
	rep := &VerifyReport{}
	var all []artifacts.Digest
	err := s.Objects(ctx, func(d artifacts.Digest, size int64) error {
		all = append(all, d)
		rep.Bytes += size
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		rep.Checked++
		err := s.Verify(ctx, d)
		switch {
		case errors.Is(err, artifacts.ErrCorrupt):
			rep.Bad = append(rep.Bad, d)
			if err := s.Quarantine(ctx, d); err != nil {
				return rep, err
			}
		case err != nil && !errors.Is(err, artifacts.ErrNotFound):
			return rep, err
		}
	}
	return rep, nil
}
