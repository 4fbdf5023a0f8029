package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PutRecord writes r to records/<key>.json atomically, replacing any
// earlier record for the key.
func (s *DirStore) PutRecord(ctx context.Context, r *RunRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.tmp, s.recordPath(r.Key), 0o644, b); err != nil {
		return fmt.Errorf("put record %s: %w", r.Key, err)
	}
	return nil
}

// GetRecord reads the record for key: ErrNotFound if there is none. A
// record file that does not parse (a disk or a person damaged it: writes
// are atomic) is moved to quarantine/ and reported with an error that
// wraps both ErrCorrupt (naming the file) and ErrNotFound, so that callers
// that look a key up simply run its stage again, as for a missing record.
func (s *DirStore) GetRecord(ctx context.Context, key Key) (*RunRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	p := s.recordPath(key)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: record %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("get record: %w", err)
	}
	r, err := decodeRecord(b, key, p)
	if err != nil {
		return nil, s.quarantineRecord(key, p, err)
	}
	return r, nil
}

// quarantineRecord moves a damaged record file to
// quarantine/record-<key>.json.<unix-nanos> and returns the error to report.
func (s *DirStore) quarantineRecord(key Key, p string, bad error) error {
	dst := filepath.Join(s.quarantine, "record-"+string(key)+".json."+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err := os.Rename(p, dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (quarantine failed: %v)", bad, err)
	}
	if err := syncDir(s.records); err != nil {
		return fmt.Errorf("%w (quarantine: %v)", bad, err)
	}
	return fmt.Errorf("%w; %w: moved to %s", bad, ErrNotFound, dst)
}

// CheckRecords reads every record file and returns the keys of those that
// did not parse (now quarantined by GetRecord), for `pipe verify`.
func (s *DirStore) CheckRecords(ctx context.Context) (checked int, bad []Key, err error) {
	entries, err := os.ReadDir(s.records)
	if err != nil {
		return 0, nil, fmt.Errorf("list records: %w", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || checkKey(Key(name)) != nil {
			continue
		}
		_, err := s.GetRecord(ctx, Key(name))
		switch {
		case errors.Is(err, ErrCorrupt):
			bad = append(bad, Key(name))
		case errors.Is(err, ErrNotFound):
			continue // deleted since the listing
		case err != nil:
			return checked, bad, err
		}
		checked++
	}
	return checked, bad, nil
}

// Records calls fn for every record, in key order. A record file that does
// not parse is quarantined (see GetRecord) and skipped.
func (s *DirStore) Records(ctx context.Context, fn func(r *RunRecord) error) error {
	entries, err := os.ReadDir(s.records)
	if err != nil {
		return fmt.Errorf("list records: %w", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || checkKey(Key(name)) != nil {
			continue
		}
		r, err := s.GetRecord(ctx, Key(name))
		if errors.Is(err, ErrNotFound) {
			continue // deleted since the listing, or quarantined
		}
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRecord removes the record for key.
func (s *DirStore) DeleteRecord(ctx context.Context, key Key) error {
	if err := checkKey(key); err != nil {
		return err
	}
	p := s.recordPath(key)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete: %w: record %s", ErrNotFound, key)
	}
	if err != nil {
		return fmt.Errorf("delete record %s: %w", key, err)
	}
	return syncDir(s.records)
}

// refRetries bounds SetRef's retries when a concurrent DeleteRef removes
// the (then empty) parent directory between its mkdir and its rename.
const refRetries = 8

// SetRef writes refs/<name> atomically. Names map to nested directories, so
// "a" and "a/b" cannot both be references; SetRef reports ErrBadName then.
func (s *DirStore) SetRef(ctx context.Context, name string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateRefName(name); err != nil {
		return err
	}
	p := s.refPath(name)
	var err error
	for range refRetries {
		if err = s.writeRef(name, p, value); !retryRef(err, p) {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case isPathConflict(err):
		return fmt.Errorf("%w: %q conflicts with an existing reference", ErrBadName, name)
	}
	return fmt.Errorf("set ref %s: %w", name, err)
}

func (s *DirStore) writeRef(name, p string, value []byte) error {
	if dir := path.Dir(name); dir != "." {
		if err := mkdirSync(s.refs, dir); err != nil {
			return err
		}
	}
	return writeFileAtomic(s.tmp, p, 0o644, value)
}

// retryRef reports whether a failed reference write may succeed if retried:
// a concurrent DeleteRef removed its parent directory, or an empty directory
// left by deleted children sits at its path (removed here).
func retryRef(err error, p string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, fs.ErrNotExist):
		return true
	case errors.Is(err, syscall.EISDIR):
		return os.Remove(p) == nil
	}
	return false
}

// isPathConflict reports errors that mean a reference name and a directory
// of other references' names collide.
func isPathConflict(err error) bool {
	return errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}

// GetRef returns the value of reference name.
func (s *DirStore) GetRef(ctx context.Context, name string) ([]byte, error) {
	if err := ValidateRefName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.refPath(name))
	if errors.Is(err, fs.ErrNotExist) || isPathConflict(err) {
		return nil, fmt.Errorf("%w: reference %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get ref %s: %w", name, err)
	}
	return b, nil
}

// Refs calls fn for every reference whose name starts with prefix, in name
// order. Only the subtree the prefix selects is walked.
func (s *DirStore) Refs(ctx context.Context, prefix string, fn func(name string, value []byte) error) error {
	root := s.refs
	if i := strings.LastIndexByte(prefix, '/'); i > 0 && ValidateRefName(prefix[:i]) == nil {
		root = s.refPath(prefix[:i])
	}
	var names []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(s.refs, p)
		name := filepath.ToSlash(rel)
		if err == nil && strings.HasPrefix(name, prefix) && ValidateRefName(name) == nil {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list refs %q: %w", prefix, err)
	}
	// Walk order puts "a/c" before "a-b"; callers get plain string order.
	slices.Sort(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := s.GetRef(ctx, name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(name, v); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRef removes reference name and then any directories it leaves empty.
func (s *DirStore) DeleteRef(ctx context.Context, name string) error {
	if err := ValidateRefName(name); err != nil {
		return err
	}
	p := s.refPath(name)
	// os.Remove would also remove an empty directory: check for a file first.
	if info, err := os.Lstat(p); err != nil || !info.Mode().IsRegular() {
		return fmt.Errorf("delete: %w: reference %s", ErrNotFound, name)
	}
	if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete: %w: reference %s", ErrNotFound, name)
	} else if err != nil {
		return fmt.Errorf("delete ref %s: %w", name, err)
	}
	dir := filepath.Dir(p)
	for dir != s.refs && os.Remove(dir) == nil {
		dir = filepath.Dir(dir)
	}
	return syncDir(dir)
}
