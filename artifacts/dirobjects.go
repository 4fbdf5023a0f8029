package artifacts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// smallObject is the size up to which Put holds the bytes in memory: such a
// Put knows the digest before touching the disk, so storing a duplicate
// writes nothing. Larger objects stream through a temporary file.
const smallObject = 64 << 10

// Put stores the bytes of r. Small objects are hashed in memory; larger ones
// are hashed while they stream to tmp/. An existing object that verifies is
// kept and the new copy dropped; a corrupt one is replaced.
func (s *DirStore) Put(ctx context.Context, r io.Reader) (Digest, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	r = ctxReader{ctx, r}
	var head bytes.Buffer
	if _, err := head.ReadFrom(io.LimitReader(r, smallObject+1)); err != nil {
		return "", fmt.Errorf("put: %w", err)
	}
	if head.Len() <= smallObject {
		return s.putSmall(ctx, head.Bytes())
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return "", fmt.Errorf("put: %w", err)
	}
	h := sha256.New()
	w := io.MultiWriter(f, h)
	_, err = w.Write(head.Bytes())
	if err == nil {
		_, err = copyStream(w, r)
	}
	if err != nil {
		discardFile(f)
		return "", fmt.Errorf("put: %w", err)
	}
	d := Digest(hex.EncodeToString(h.Sum(nil)))
	if ok, err := s.intact(ctx, d); err != nil || ok {
		discardFile(f) // fsync skipped: the bytes are already stored
		return d, err
	}
	if err := s.install(f, d); err != nil {
		return "", err
	}
	return d, nil
}

// putSmall stores b, whose digest it computes before writing anything.
func (s *DirStore) putSmall(ctx context.Context, b []byte) (Digest, error) {
	d := DigestOf(b)
	if ok, err := s.intact(ctx, d); err != nil || ok {
		return d, err
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return "", fmt.Errorf("put: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		discardFile(f)
		return "", fmt.Errorf("put: %w", err)
	}
	if err := s.install(f, d); err != nil {
		return "", err
	}
	return d, nil
}

// intact reports whether object d is present and verifies.
func (s *DirStore) intact(ctx context.Context, d Digest) (bool, error) {
	err := s.Verify(ctx, d)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) {
		return false, nil
	}
	return err == nil, err
}

// install renames the written temporary file f to object d's path, read-only.
// Renaming over a corrupt copy replaces it atomically; two writers of the
// same object race harmlessly, as both hold identical bytes.
func (s *DirStore) install(f *os.File, d Digest) error {
	if err := mkdirSync(s.objects, string(d[:2])); err != nil {
		discardFile(f)
		return fmt.Errorf("put %s: %w", d, err)
	}
	if err := commitFile(f, 0o444, s.objectPath(d)); err != nil {
		return fmt.Errorf("put %s: %w", d, err)
	}
	return nil
}

// PutFile stores the contents of the file at path.
func (s *DirStore) PutFile(ctx context.Context, path string) (Digest, error) {
	return putFile(ctx, s, path)
}

// openObject opens object d's file, mapping absence to ErrNotFound.
func (s *DirStore) openObject(d Digest) (*os.File, string, error) {
	if err := checkDigest(d); err != nil {
		return nil, "", err
	}
	p := s.objectPath(d)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, p, fmt.Errorf("%w: object %s", ErrNotFound, d)
	}
	if err != nil {
		return nil, p, fmt.Errorf("open object %s: %w", d, err)
	}
	return f, p, nil
}

// Get returns the verified bytes of object d.
func (s *DirStore) Get(ctx context.Context, d Digest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, p, err := s.openObject(d)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readAll(f)
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", p, err)
	}
	if got := DigestOf(b); got != d {
		return nil, corruptError(d, p, string(got))
	}
	return b, nil
}

// readAll reads a file whole into a buffer sized from Stat (bytes.Buffer
// would double a 64 MiB buffer to 128 MiB to look for the end).
func readAll(f *os.File) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, info.Size())
	n, err := io.ReadFull(f, b)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	// A file that shrank or grew since Stat fails the digest check that
	// follows; read what is there so the error reports the real hash.
	rest, err := io.ReadAll(f)
	return append(b[:n], rest...), err
}

// Open streams object d; the reader's final Read reports ErrCorrupt instead
// of io.EOF if the bytes do not hash to d.
func (s *DirStore) Open(ctx context.Context, d Digest) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, p, err := s.openObject(d)
	if err != nil {
		return nil, err
	}
	return newVerifyReader(f, f, d, p), nil
}

// Materialize writes a verified copy of object d to path (mode 0644),
// atomically: path is never left holding a partial or corrupt copy.
func (s *DirStore) Materialize(ctx context.Context, d Digest, path string) error {
	return materialize(ctx, s, d, path)
}

// Has reports whether object d is present, with one stat and no hashing.
func (s *DirStore) Has(ctx context.Context, d Digest) (bool, error) {
	if err := checkDigest(d); err != nil {
		return false, err
	}
	_, err := os.Stat(s.objectPath(d))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("has %s: %w", d, err)
}

// Verify re-hashes object d.
func (s *DirStore) Verify(ctx context.Context, d Digest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, p, err := s.openObject(d)
	if err != nil {
		return err
	}
	defer f.Close()
	got, err := hashReader(ctx, f)
	if err != nil {
		return fmt.Errorf("verify %s: %w", p, err)
	}
	if got != string(d) {
		return corruptError(d, p, got)
	}
	return nil
}

// Objects calls fn for every object in digest order, listing one fan-out
// directory at a time; it reads names and sizes only, never contents.
func (s *DirStore) Objects(ctx context.Context, fn func(d Digest, size int64) error) error {
	fans, err := os.ReadDir(s.objects)
	if err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	for _, fan := range fans {
		if !fan.IsDir() || len(fan.Name()) != 2 {
			continue
		}
		if err := s.objectsIn(ctx, fan.Name(), fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *DirStore) objectsIn(ctx context.Context, fan string, fn func(d Digest, size int64) error) error {
	dir := filepath.Join(s.objects, fan)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := ParseDigest(e.Name())
		if err != nil || string(d[:2]) != fan {
			continue // not an object name: ignore, never guess
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted since the listing
		}
		if err != nil {
			return fmt.Errorf("list objects: %w", err)
		}
		if err := fn(d, info.Size()); err != nil {
			return err
		}
	}
	return nil
}

// Quarantine moves object d to quarantine/<digest>.<unix-nanos>, where it is
// kept for inspection but no longer exists for Has, Get or Objects.
func (s *DirStore) Quarantine(ctx context.Context, d Digest) error {
	if err := checkDigest(d); err != nil {
		return err
	}
	dst := filepath.Join(s.quarantine, string(d)+"."+strconv.FormatInt(time.Now().UnixNano(), 10))
	err := os.Rename(s.objectPath(d), dst)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("quarantine: %w: object %s", ErrNotFound, d)
	}
	if err != nil {
		return fmt.Errorf("quarantine %s: %w", d, err)
	}
	if err := syncDir(s.quarantine); err != nil {
		return fmt.Errorf("quarantine %s: %w", d, err)
	}
	return syncDir(filepath.Dir(s.objectPath(d)))
}

// Delete removes object d.
func (s *DirStore) Delete(ctx context.Context, d Digest) error {
	if err := checkDigest(d); err != nil {
		return err
	}
	p := s.objectPath(d)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete: %w: object %s", ErrNotFound, d)
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", d, err)
	}
	return syncDir(filepath.Dir(p))
}
