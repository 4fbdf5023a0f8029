package artifacts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// DirStore is the on-disk Store: a directory shared safely by any number of
// goroutines and processes (layout and crash-safety argument in doc.go).
type DirStore struct {
	dir        string // absolute
	objects    string
	records    string
	refs       string
	locks      string
	quarantine string
	tmp        string
	procs      *procLocks
	refRoot    string // refs/ of the whole store; refs is refRoot/<namespace>
	namespace  string // "" or the WithNamespace prefix of every reference
}

var _ Store = (*DirStore)(nil)

// OpenDir opens the store rooted at dir, creating dir and its layout if they
// are missing.
func OpenDir(dir string) (*DirStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &DirStore{
		dir:        abs,
		objects:    filepath.Join(abs, "objects"),
		records:    filepath.Join(abs, "records"),
		refs:       filepath.Join(abs, "refs"),
		locks:      filepath.Join(abs, "locks"),
		quarantine: filepath.Join(abs, "quarantine"),
		tmp:        filepath.Join(abs, "tmp"),
		procs:      &procLocks{},
	}
	s.refRoot = s.refs
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	created := false
	for _, d := range []string{s.objects, s.records, s.refs, s.locks, s.quarantine, s.tmp} {
		err := os.Mkdir(d, 0o755)
		switch {
		case err == nil:
			created = true
		case errors.Is(err, fs.ErrExist):
			if info, serr := os.Stat(d); serr != nil || !info.IsDir() {
				return nil, fmt.Errorf("open store %s: %s is not a directory", dir, d)
			}
		default:
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
	}
	if created { // make the new layout durable before anything is put in it
		if err := syncDir(abs); err != nil {
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
	}
	return s, nil
}

// Dir returns the absolute root directory of the store.
func (s *DirStore) Dir() string { return s.dir }

// objectPath returns objects/<first two hex digits>/<digest>.
func (s *DirStore) objectPath(d Digest) string {
	return filepath.Join(s.objects, string(d[:2]), string(d))
}

func (s *DirStore) recordPath(k Key) string {
	return filepath.Join(s.records, string(k)+".json")
}

func (s *DirStore) refPath(name string) string {
	return filepath.Join(s.refs, filepath.FromSlash(name))
}

func (s *DirStore) lockPath(name string) string {
	return filepath.Join(s.locks, lockFileName(name))
}

// CleanTmp removes temporary files in tmp/ last modified more than olderThan
// ago and reports how many it removed. Temporary files are what a killed
// writer leaves behind; nothing reads them, so they only cost space. A Put
// in progress keeps touching its file, so an olderThan well above the
// longest single write (an hour, say) never removes live work.
func (s *DirStore) CleanTmp(olderThan time.Duration) (int, error) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return 0, fmt.Errorf("clean %s: %w", s.tmp, err)
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	for _, e := range entries {
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("clean %s: %w", s.tmp, err)
		}
		if info.ModTime().After(cutoff) {
			continue
		}
		p := filepath.Join(s.tmp, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return removed, fmt.Errorf("clean %s: %w", p, err)
		}
		removed++
	}
	return removed, nil
}
