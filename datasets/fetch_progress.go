package datasets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// fetchProgress counts the bytes and files of one Fetch for its progress
// lines.
type fetchProgress struct {
	log          *lockedWriter
	mu           sync.Mutex
	files, total int
	bytes, want  int64
	dir          string
}

func newFetchProgress(log *lockedWriter, srcs []Source, dir string) *fetchProgress {
	p := &fetchProgress{log: log, total: len(srcs), dir: dir}
	for _, s := range srcs {
		p.want += s.Size
	}
	return p
}

// add counts n bytes; whole says they complete a file (already present).
func (p *fetchProgress) add(n int64, whole bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes += n
	if whole {
		p.files++
	}
}

// file counts one downloaded file.
func (p *fetchProgress) file() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files++
}

// line renders the progress.
func (p *fetchProgress) line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("fetch: %d/%d files, %s of %s", p.files, p.total, mib(p.bytes), mib(p.want))
}

// start prints the first line and then one line every interval (0: 5 s)
// until the returned function is called (it may be called twice).
func (p *fetchProgress) start(every time.Duration) func() {
	if every <= 0 {
		every = 5 * time.Second
	}
	p.log.printf("fetch: %d files (%s) into %s, checked by sha256", p.total, mib(p.want), p.dir)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.log.printf("%s", p.line())
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop); <-done }) }
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// mkdirsFor creates the directories the sources go into and returns those
// it created, deepest first, so a failed fetch can remove them again.
func mkdirsFor(dir string, srcs []Source) ([]string, error) {
	need := map[string]bool{}
	for _, s := range srcs {
		need[filepath.Dir(filepath.Join(dir, filepath.FromSlash(s.Path)))] = true
	}
	var created []string
	for d := range need {
		var missing []string
		for p := d; ; p = filepath.Dir(p) {
			if _, err := os.Stat(p); err == nil || filepath.Dir(p) == p {
				break
			}
			missing = append(missing, p)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return created, fmt.Errorf("fetch: %w", err)
		}
		created = append(created, missing...)
	}
	sort.Slice(created, func(i, j int) bool { return len(created[i]) > len(created[j]) })
	return created, nil
}

// removeEmptyDirs removes the directories that are still empty (deepest
// first; os.Remove leaves non-empty ones alone).
func removeEmptyDirs(dirs []string) {
	for _, d := range dirs {
		_ = os.Remove(d)
	}
}

// Missing returns the sources under dir that a stage reading the given
// paths (files or directories, relative to dir) needs and that are absent.
func Missing(dir string, paths []string) []Source {
	var out []Source
	for _, s := range Sources() {
		if !underAny(s.Path, paths) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s.Path))); errors.Is(err, os.ErrNotExist) {
			out = append(out, s)
		}
	}
	return out
}

func underAny(p string, roots []string) bool {
	for _, r := range roots {
		r = filepath.ToSlash(filepath.Clean(r))
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// MirrorEnv names the environment variable of a mirror to fetch from
// instead of the public sources: a base URL under which every file sits at
// its data-directory path (an intranet copy, or a test server).
const MirrorEnv = "PIPE_DATA_MIRROR"

// Mirrored returns srcs with their URLs pointed at base + "/" + Path; an
// empty base returns srcs unchanged.
func Mirrored(srcs []Source, base string) []Source {
	if base == "" {
		return srcs
	}
	out := make([]Source, len(srcs))
	for i, s := range srcs {
		s.URL = strings.TrimRight(base, "/") + "/" + s.Path
		out[i] = s
	}
	return out
}
