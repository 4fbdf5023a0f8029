package artifacts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/minio/minio-go/v7"
)

// putBytes writes b at key unconditionally (a PUT replaces an object
// atomically: readers see the old or the new bytes, never a mix).
func (s *S3Store) putBytes(ctx context.Context, key string, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	return s3Error(err, "put "+key)
}

// getBytes reads the object at key; what names it for ErrNotFound.
func (s *S3Store) getBytes(ctx context.Context, key, what string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Error(err, what)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		return nil, s3Error(err, what)
	}
	return b, nil
}

// removeExisting deletes the object at key, or returns ErrNotFound (S3
// deletes succeed on missing keys, so presence is checked first).
func (s *S3Store) removeExisting(ctx context.Context, key, what string) error {
	if _, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{}); err != nil {
		return fmt.Errorf("delete: %w", s3Error(err, what))
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s3Error(err, "delete "+what)
	}
	return nil
}

// PutRecord stores r at records/<key>.json, replacing any earlier record,
// and in the cache.
func (s *S3Store) PutRecord(ctx context.Context, r *RunRecord) error {
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := s.putBytes(ctx, s.recordKey(r.Key), b); err != nil {
		return err
	}
	if s.cache != nil {
		return s.cache.PutRecord(ctx, r)
	}
	return nil
}

// GetRecord returns the record for key, from the cache when it has it.
func (s *S3Store) GetRecord(ctx context.Context, key Key) (*RunRecord, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if s.cache != nil {
		if r, err := s.cache.GetRecord(ctx, key); err == nil {
			return r, nil
		}
	}
	b, err := s.getBytes(ctx, s.recordKey(key), "record "+string(key))
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(b, key, s.String()+"/"+s.recordKey(key))
	if err == nil && s.cache != nil {
		_ = s.cache.PutRecord(ctx, r) // a cache that cannot write only costs speed
	}
	return r, err
}

// Records calls fn for every record in the service, in key order.
func (s *S3Store) Records(ctx context.Context, fn func(r *RunRecord) error) error {
	return s.list(ctx, s.prefix+"records/", func(k string, _ int64) error {
		key, err := ParseDigest(strings.TrimSuffix(k[strings.LastIndexByte(k, '/')+1:], ".json"))
		if err != nil {
			return nil // not a record of this layout
		}
		r, err := s.GetRecord(ctx, Key(key))
		if errors.Is(err, ErrNotFound) {
			return nil // deleted since the listing
		} else if err != nil {
			return err
		}
		return fn(r)
	})
}

// DeleteRecord removes the record for key from the service and the cache.
func (s *S3Store) DeleteRecord(ctx context.Context, key Key) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if s.cache != nil {
		if err := s.cache.DeleteRecord(ctx, key); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return s.removeExisting(ctx, s.recordKey(key), "record "+string(key))
}

// SetRef sets reference name. A name cannot be both a reference and the
// parent of others; the check reads the parents and the children first, so
// two writers racing to create "a" and "a/b" could both succeed (DirStore
// refuses one of them): names with such a conflict are a programming error,
// not a race the pipeline relies on.
func (s *S3Store) SetRef(ctx context.Context, name string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateRefName(name); err != nil {
		return err
	}
	if err := s.refConflict(ctx, name); err != nil {
		return err
	}
	return s.putBytes(ctx, s.refRoot()+name, value)
}

// refConflict returns ErrBadName if a parent of name is a reference or name
// has children.
func (s *S3Store) refConflict(ctx context.Context, name string) error {
	for i := range len(name) {
		if name[i] != '/' {
			continue
		}
		_, err := s.client.StatObject(ctx, s.bucket, s.refRoot()+name[:i], minio.StatObjectOptions{})
		if err = s3Error(err, "reference "+name[:i]); err == nil {
			return fmt.Errorf("%w: %q conflicts with reference %q", ErrBadName, name, name[:i])
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: s.refRoot() + name + "/", Recursive: true, MaxKeys: 1}
	for info := range s.client.ListObjects(ctx, s.bucket, opts) {
		if info.Err != nil {
			return s3Error(info.Err, "list references "+name+"/")
		}
		return fmt.Errorf("%w: %q conflicts with an existing reference below it", ErrBadName, name)
	}
	return nil
}

// GetRef returns the value of reference name, or ErrNotFound.
func (s *S3Store) GetRef(ctx context.Context, name string) ([]byte, error) {
	if err := ValidateRefName(name); err != nil {
		return nil, err
	}
	return s.getBytes(ctx, s.refRoot()+name, "reference "+name)
}

// Refs calls fn for every reference whose name starts with prefix, in name
// order (the service lists keys in byte order, which is name order).
func (s *S3Store) Refs(ctx context.Context, prefix string, fn func(name string, value []byte) error) error {
	root := s.refRoot()
	return s.list(ctx, root+prefix, func(key string, _ int64) error {
		name := strings.TrimPrefix(key, root)
		if ValidateRefName(name) != nil {
			return nil
		}
		v, err := s.GetRef(ctx, name)
		if errors.Is(err, ErrNotFound) {
			return nil // deleted since the listing
		} else if err != nil {
			return err
		}
		return fn(name, v)
	})
}

// DeleteRef removes reference name.
func (s *S3Store) DeleteRef(ctx context.Context, name string) error {
	if err := ValidateRefName(name); err != nil {
		return err
	}
	return s.removeExisting(ctx, s.refRoot()+name, "reference "+name)
}
