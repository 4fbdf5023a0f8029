package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// fileCacheRef is the store reference holding digests of external files by
// (path, size, modification time, inode), so that a cached run does not
// re-hash large data files.
const fileCacheRef = "cache/file-digests"

// fileStat is one cache entry.
type fileStat struct {
	Size   int64            `json:"size"`
	MTime  int64            `json:"mtime_ns"`
	Inode  uint64           `json:"inode"`
	Digest artifacts.Digest `json:"digest"`
}

// fileDigests hashes external files and directories, with the cache.
type fileDigests struct {
	store  artifacts.Refs
	mu     sync.Mutex
	loaded bool
	cache  map[string]fileStat
	dirty  bool
	// memo, while a status pass is open (see memoize), holds the digest of
	// every path digested in it: a data directory that many stages read is
	// walked once per `pipe status`, not once per stage.
	memo  map[string]artifacts.Digest
	walks int // paths walked, for tests
}

func newFileDigests(s artifacts.Refs) *fileDigests {
	return &fileDigests{store: s, cache: map[string]fileStat{}}
}

func (fd *fileDigests) load(ctx context.Context) {
	if fd.loaded {
		return
	}
	fd.loaded = true
	b, err := fd.store.GetRef(ctx, fileCacheRef)
	if err == nil {
		_ = json.Unmarshal(b, &fd.cache) // a damaged cache is only a cache
	}
	if fd.cache == nil {
		fd.cache = map[string]fileStat{}
	}
}

// memoize opens a pass in which each path is digested at most once, and
// returns the function that closes it. Status opens one: it only reports,
// so files edited during it cost nothing worse than a stale report. A run
// does not, since a stage's key must follow the files as they are when it
// starts, which can be minutes after the run did.
func (fd *fileDigests) memoize() func() {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	fd.memo = map[string]artifacts.Digest{}
	return func() {
		fd.mu.Lock()
		fd.memo = nil
		fd.mu.Unlock()
	}
}

// digest returns the digest of a file, or of a directory: the sha256 of its
// sorted listing of "relative/path\x00digest\n" lines over every file in it.
func (fd *fileDigests) digest(ctx context.Context, abs string) (artifacts.Digest, error) {
	fd.mu.Lock()
	dg, ok := fd.memo[abs]
	fd.mu.Unlock()
	if ok {
		return dg, nil
	}
	dg, err := fd.walk(ctx, abs)
	if err == nil {
		fd.mu.Lock()
		if fd.memo != nil {
			fd.memo[abs] = dg
		}
		fd.mu.Unlock()
	}
	return dg, err
}

// walk digests a file, or every file under a directory.
func (fd *fileDigests) walk(ctx context.Context, abs string) (artifacts.Digest, error) {
	fd.mu.Lock()
	fd.walks++
	fd.mu.Unlock()
	fi, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return fd.fileDigest(ctx, abs, fi)
	}
	var lines []string
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		dg, err := fd.fileDigest(ctx, p, fi)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(abs, p)
		lines = append(lines, filepath.ToSlash(rel)+"\x00"+string(dg)+"\n")
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(lines)
	return artifacts.DigestOf([]byte(strings.Join(lines, ""))), nil
}

func (fd *fileDigests) fileDigest(ctx context.Context, path string, fi os.FileInfo) (artifacts.Digest, error) {
	st := fileStat{Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Inode: inode(fi)}
	fd.mu.Lock()
	fd.load(ctx)
	old, ok := fd.cache[path]
	fd.mu.Unlock()
	if ok && old.Size == st.Size && old.MTime == st.MTime && old.Inode == st.Inode {
		return old.Digest, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	st.Digest = artifacts.Digest(hex.EncodeToString(h.Sum(nil)))
	fd.mu.Lock()
	fd.cache[path] = st
	fd.dirty = true
	fd.mu.Unlock()
	return st.Digest, nil
}

// save writes the cache back if it changed. Two processes saving at once
// may lose each other's new entries, which only costs a re-hash.
func (fd *fileDigests) save(ctx context.Context) error {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if !fd.dirty {
		return nil
	}
	for p := range fd.cache {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			delete(fd.cache, p)
		}
	}
	b, err := json.Marshal(fd.cache)
	if err != nil {
		return err
	}
	fd.dirty = false
	return fd.store.SetRef(ctx, fileCacheRef, b)
}
