package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// VerifyReport lists what Verify found.
type VerifyReport struct {
	Checked int
	Bytes   int64
	Bad     []artifacts.Digest // corrupt objects, now quarantined

	CheckedRecords int
	BadRecords     []artifacts.Key // record files that did not parse, now quarantined
	CheckedRefs    int
	// BadRefs describes each reference that did not parse or pointed at a
	// record that is gone ("name: why"). They were deleted, except that a
	// pipeline reference keeps its keys whose records exist.
	BadRefs []string
}

// OK reports whether Verify found nothing wrong.
func (r *VerifyReport) OK() bool {
	return len(r.Bad) == 0 && len(r.BadRecords) == 0 && len(r.BadRefs) == 0
}

// VerifyOptions adjust Verify.
type VerifyOptions struct {
	// Waiting, if not nil, is called once if a reference repair has to
	// wait for runs in progress to end.
	Waiting func()
}

// Verify re-hashes every object of the store and quarantines those whose
// bytes no longer match their digest, reads every run record (quarantining
// those that do not parse) and checks every reference of the store view:
// a stage or pipeline reference must name records that exist, a failure
// log reference must parse. Bad references are deleted (the next run writes
// them again). The stages whose results were lost rerun on the next `pipe run`.
//
// The caller holds no store lock. Objects, records and references are
// checked holding artifacts.StoreLock shared, as a run does (a gc would
// otherwise delete records under the references being checked). Runs write
// references while holding it shared too, so a repair, which rewrites
// references from what it read, takes the lock exclusively and checks the
// references again first: a run that moved a reference in between keeps
// its update.
func Verify(ctx context.Context, s artifacts.Store, opts VerifyOptions) (*VerifyReport, error) {
	rep := &VerifyReport{}
	fixes, err := verifyShared(ctx, s, rep)
	if err != nil || len(fixes) == 0 {
		return rep, err
	}
	unlock, err := lockStore(ctx, s, opts.Waiting)
	if err != nil {
		return rep, fmt.Errorf("verify: repair references: %w", err)
	}
	defer unlock()
	rep.CheckedRefs, rep.BadRefs = 0, nil
	if fixes, err = checkRefs(ctx, s, rep); err != nil {
		return rep, err
	}
	return rep, repairRefs(ctx, s, fixes)
}

// verifyShared checks objects, records and references holding the store
// lock shared, and returns the reference repairs needed.
func verifyShared(ctx context.Context, s artifacts.Store, rep *VerifyReport) (map[string]map[artifacts.Key]bool, error) {
	if sl, ok := s.(artifacts.SharedLocker); ok {
		unlock, err := sl.LockShared(ctx, artifacts.StoreLock)
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		defer unlock()
	}
	if err := verifyObjects(ctx, s, rep); err != nil {
		return nil, err
	}
	if err := verifyRecords(ctx, s, rep); err != nil {
		return nil, err
	}
	return checkRefs(ctx, s, rep)
}

// lockStore takes the store lock exclusively, at once if it is free, else
// after calling waiting.
func lockStore(ctx context.Context, s artifacts.Locker, waiting func()) (func() error, error) {
	if sl, ok := s.(artifacts.SharedLocker); ok {
		unlock, free, err := sl.TryLock(artifacts.StoreLock)
		if err != nil || free {
			return unlock, err
		}
		if waiting != nil {
			waiting()
		}
	}
	return s.Lock(ctx, artifacts.StoreLock)
}

func verifyObjects(ctx context.Context, s artifacts.Objects, rep *VerifyReport) error {
	var all []artifacts.Digest
	err := s.Objects(ctx, func(d artifacts.Digest, size int64) error {
		all = append(all, d)
		rep.Bytes += size
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range all {
		rep.Checked++
		err := s.Verify(ctx, d)
		switch {
		case errors.Is(err, artifacts.ErrCorrupt):
			rep.Bad = append(rep.Bad, d)
			if err := s.Quarantine(ctx, d); err != nil {
				return err
			}
		case err != nil && !errors.Is(err, artifacts.ErrNotFound):
			return err
		}
	}
	return nil
}

// verifyRecords reads every record; a store that can list damaged record
// files (DirStore) reports them, any other only counts the good ones.
func verifyRecords(ctx context.Context, s artifacts.Records, rep *VerifyReport) error {
	if rc, ok := s.(interface {
		CheckRecords(ctx context.Context) (int, []artifacts.Key, error)
	}); ok {
		n, bad, err := rc.CheckRecords(ctx)
		rep.CheckedRecords, rep.BadRecords = n, bad
		return err
	}
	return s.Records(ctx, func(*artifacts.RunRecord) error { rep.CheckedRecords++; return nil })
}

// checkRefs checks the references of the store view and returns the bad
// ones: nil to delete, or, for a pipeline reference, the keys that still
// have records (deleting it would let `pipe gc` collect the others).
func checkRefs(ctx context.Context, s artifacts.Store, rep *VerifyReport) (map[string]map[artifacts.Key]bool, error) {
	fixes := map[string]map[artifacts.Key]bool{}
	err := s.Refs(ctx, "", func(name string, value []byte) error {
		rep.CheckedRefs++
		why, keep := refProblem(ctx, s, name, value)
		if why != "" {
			fixes[name] = keep
			rep.BadRefs = append(rep.BadRefs, name+": "+why)
		}
		return nil
	})
	return fixes, err
}

// repairRefs rewrites or deletes the references checkRefs found bad.
func repairRefs(ctx context.Context, s artifacts.Refs, fixes map[string]map[artifacts.Key]bool) error {
	for name, keep := range fixes {
		var err error
		if keep != nil {
			err = setKeys(ctx, s, name, keep)
		} else if err = s.DeleteRef(ctx, name); errors.Is(err, artifacts.ErrNotFound) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("verify: repair reference %s: %w", name, err)
		}
	}
	return nil
}

// refProblem says what is wrong with one reference ("" if nothing) and, for
// a pipeline reference naming lost records, the keys to keep.
func refProblem(ctx context.Context, s artifacts.Records, name string, value []byte) (string, map[artifacts.Key]bool) {
	has := func(k artifacts.Key) string {
		if _, err := s.GetRecord(ctx, k); errors.Is(err, artifacts.ErrNotFound) {
			return fmt.Sprintf("record %s is gone", artifacts.Digest(k).Short())
		}
		return ""
	}
	switch {
	case strings.HasPrefix(name, "stages/"):
		if _, err := artifacts.ParseDigest(string(value)); err != nil {
			return "not a key", nil
		}
		return has(artifacts.Key(value)), nil
	case strings.HasPrefix(name, "pipelines/"):
		var keys []artifacts.Key
		if err := json.Unmarshal(value, &keys); err != nil {
			return "malformed key list", nil
		}
		keep, lost := map[artifacts.Key]bool{}, ""
		for _, k := range keys {
			if why := has(k); why != "" {
				lost = why
			} else {
				keep[k] = true
			}
		}
		if lost != "" {
			return lost, keep
		}
	case strings.HasPrefix(name, "logs/"):
		var fl failedLog
		if err := json.Unmarshal(value, &fl); err != nil {
			return "malformed failure log reference", nil
		}
	}
	return "", nil
}
