package artifacts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Files in and out of a store: the two ways programs that need a path
// (shell stages, raw data) exchange objects with it.

// putFile stores the contents of the file at path in s.
func putFile(ctx context.Context, s Store, path string) (Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("put file: %w", err)
	}
	defer f.Close()
	d, err := s.Put(ctx, f)
	if err != nil {
		return "", fmt.Errorf("put file %s: %w", path, err)
	}
	return d, nil
}

// materialize copies object d of s to path atomically: the bytes land in a
// temporary file beside path and are renamed into place only when the
// verifying reader from s.Open has reached its end without error, which
// means the digest matched.
func materialize(ctx context.Context, s Store, d Digest, path string) error {
	r, err := s.Open(ctx, d)
	if err != nil {
		return err
	}
	defer r.Close()
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("materialize %s: %w", path, err)
	}
	if _, err := copyStream(f, ctxReader{ctx, r}); err != nil {
		discardFile(f)
		return fmt.Errorf("materialize %s: %w", path, err)
	}
	if err := commitFile(f, 0o644, path); err != nil {
		return fmt.Errorf("materialize %s: %w", path, err)
	}
	return nil
}
