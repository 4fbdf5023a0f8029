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

// Verify re-hashes every object of the store and quarantines those whose
// bytes no longer match their digest, reads every run record (quarantining
// those that do not parse) and checks every reference of the store view:
// a stage or pipeline reference must name records that exist, a failure
// log reference must parse. Bad references are deleted (the next run writes
// them again). The stages whose results were lost rerun on the next `pipe run`.
func Verify(ctx context.Context, s artifacts.Store) (*VerifyReport, error) {
	rep := &VerifyReport{}
	if err := verifyObjects(ctx, s, rep); err != nil {
		return rep, err
	}
	if err := verifyRecords(ctx, s, rep); err != nil {
		return rep, err
	}
	return rep, verifyRefs(ctx, s, rep)
}

func verifyObjects(ctx context.Context, s artifacts.Store, rep *VerifyReport) error {
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
func verifyRecords(ctx context.Context, s artifacts.Store, rep *VerifyReport) error {
	if rc, ok := s.(interface {
		CheckRecords(ctx context.Context) (int, []artifacts.Key, error)
	}); ok {
		n, bad, err := rc.CheckRecords(ctx)
		rep.CheckedRecords, rep.BadRecords = n, bad
		return err
	}
	return s.Records(ctx, func(*artifacts.Record) error { rep.CheckedRecords++; return nil })
}

// verifyRefs checks the references of the store view and deletes bad ones
// (a pipeline reference is rewritten with the keys that still have records:
// deleting it would let `pipe gc` collect the others).
func verifyRefs(ctx context.Context, s artifacts.Store, rep *VerifyReport) error {
	fixes := map[string]map[artifacts.Key]bool{} // nil value: delete
	err := s.Refs(ctx, "", func(name string, value []byte) error {
		rep.CheckedRefs++
		why, keep := refProblem(ctx, s, name, value)
		if why != "" {
			fixes[name] = keep
			rep.BadRefs = append(rep.BadRefs, name+": "+why)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for name, keep := range fixes {
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
func refProblem(ctx context.Context, s artifacts.Store, name string, value []byte) (string, map[artifacts.Key]bool) {
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
