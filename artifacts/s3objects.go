package artifacts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

// Put stores the bytes of r under objects/ab/<digest> with If-None-Match: *,
// so an object is written once however many machines store it. A 412 means
// the object is there; it is kept unless it is damaged (its ETag is not the
// MD5 of the bytes and re-hashing it fails), in which case it is replaced
// with If-Match on the damaged copy's ETag.
func (s *S3Store) Put(ctx context.Context, r io.Reader) (Digest, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	sp, err := spool(ctx, r)
	if err != nil {
		return "", fmt.Errorf("put: %w", err)
	}
	defer sp.close()
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	opts.SetMatchETagExcept("*") // not "": that sends an empty header, which overwrites
	err = s.putSpooled(ctx, sp, opts)
	if !errors.Is(err, errPrecondition) {
		return sp.digest, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.objectKey(sp.digest), minio.StatObjectOptions{})
	if err != nil {
		return "", s3Error(err, "put: stat "+s.objectKey(sp.digest))
	}
	if strings.Trim(info.ETag, `"`) == sp.md5 {
		return sp.digest, nil
	}
	if verr := s.Verify(ctx, sp.digest); !errors.Is(verr, ErrCorrupt) {
		return sp.digest, verr
	}
	opts = minio.PutObjectOptions{ContentType: "application/octet-stream"}
	opts.SetMatchETag(strings.Trim(info.ETag, `"`))
	if err := s.putSpooled(ctx, sp, opts); err != nil && !errors.Is(err, errPrecondition) {
		return "", err // a 412 here: another writer repaired it first
	}
	return sp.digest, nil
}

// putSpooled uploads spooled bytes to their object key.
func (s *S3Store) putSpooled(ctx context.Context, sp *spooled, opts minio.PutObjectOptions) error {
	body, err := sp.reader()
	if err != nil {
		return err
	}
	key := s.objectKey(sp.digest)
	_, err = s.client.PutObject(ctx, s.bucket, key, body, sp.size, opts)
	return s3Error(err, "put "+key)
}

// PutFile stores the contents of the file at path.
func (s *S3Store) PutFile(ctx context.Context, path string) (Digest, error) {
	return putFile(ctx, s, path)
}

// openRemote starts reading object d from the service; the request is made
// here, so a missing object fails now rather than at the first Read.
func (s *S3Store) openRemote(ctx context.Context, d Digest) (*minio.Object, error) {
	if err := checkDigest(d); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := s.objectKey(d)
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		return nil, s3Error(err, "object "+string(d))
	}
	return obj, nil
}

// remoteReader streams object d from the service, verifying it at the end.
func (s *S3Store) remoteReader(ctx context.Context, d Digest) (io.ReadCloser, error) {
	obj, err := s.openRemote(ctx, d)
	if err != nil {
		return nil, err
	}
	return newVerifyReader(obj, obj, d, s.String()+"/"+s.objectKey(d)), nil
}

// cached makes sure the local cache holds a verified copy of object d.
func (s *S3Store) cached(ctx context.Context, d Digest) error {
	if err := s.cache.Verify(ctx, d); err == nil {
		return nil
	} else if errors.Is(err, ErrCorrupt) {
		_ = s.cache.Delete(ctx, d)
	}
	r, err := s.remoteReader(ctx, d)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := s.cache.Put(ctx, r); err != nil {
		return err
	}
	return nil
}

// Get returns the verified bytes of object d, from the cache when it has them.
func (s *S3Store) Get(ctx context.Context, d Digest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.cache != nil {
		if err := checkDigest(d); err != nil {
			return nil, err
		}
		if err := s.cached(ctx, d); err != nil {
			return nil, err
		}
		return s.cache.Get(ctx, d)
	}
	r, err := s.remoteReader(ctx, d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	if _, err := copyStream(&buf, ctxReader{ctx, r}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Open streams object d: from the cache when it holds it, else from the
// service through a verifying reader (Get and Materialize fill the cache).
func (s *S3Store) Open(ctx context.Context, d Digest) (io.ReadCloser, error) {
	if s.cache != nil && checkDigest(d) == nil {
		if rc, err := s.cache.Open(ctx, d); err == nil {
			return rc, nil
		}
	}
	return s.remoteReader(ctx, d)
}

// Materialize writes a verified copy of object d to path, atomically,
// through the cache when there is one.
func (s *S3Store) Materialize(ctx context.Context, d Digest, path string) error {
	if s.cache == nil {
		return materialize(ctx, s, d, path)
	}
	if err := checkDigest(d); err != nil {
		return err
	}
	if err := s.cached(ctx, d); err != nil {
		return err
	}
	return s.cache.Materialize(ctx, d, path)
}

// Has reports whether object d is in the service (the cache is not asked:
// the service is what other machines see).
func (s *S3Store) Has(ctx context.Context, d Digest) (bool, error) {
	if err := checkDigest(d); err != nil {
		return false, err
	}
	_, err := s.client.StatObject(ctx, s.bucket, s.objectKey(d), minio.StatObjectOptions{})
	if err = s3Error(err, "object "+string(d)); errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Objects calls fn for every object in the service with its size.
func (s *S3Store) Objects(ctx context.Context, fn func(d Digest, size int64) error) error {
	return s.list(ctx, s.prefix+"objects/", func(key string, size int64) error {
		d, err := ParseDigest(key[strings.LastIndexByte(key, '/')+1:])
		if err != nil {
			return nil // not an object of this layout
		}
		return fn(d, size)
	})
}

// list calls fn for every key under prefix, in key order.
func (s *S3Store) list(ctx context.Context, prefix string, fn func(key string, size int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine if fn fails
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if info.Err != nil {
			return s3Error(info.Err, "list "+prefix)
		}
		if err := fn(info.Key, info.Size); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Verify re-hashes object d as stored in the service.
func (s *S3Store) Verify(ctx context.Context, d Digest) error {
	r, err := s.remoteReader(ctx, d)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = copyStream(io.Discard, ctxReader{ctx, r})
	return err
}

// Quarantine copies object d to quarantine/<digest>.<unix-nanos> and removes it.
func (s *S3Store) Quarantine(ctx context.Context, d Digest) error {
	if err := checkDigest(d); err != nil {
		return err
	}
	dst := minio.CopyDestOptions{Bucket: s.bucket,
		Object: s.prefix + "quarantine/" + string(d) + "." + strconv.FormatInt(time.Now().UnixNano(), 10)}
	src := minio.CopySrcOptions{Bucket: s.bucket, Object: s.objectKey(d)}
	if _, err := s.client.CopyObject(ctx, dst, src); err != nil {
		return fmt.Errorf("quarantine: %w", s3Error(err, "object "+string(d)))
	}
	return s.remove(ctx, d)
}

// Delete removes object d.
func (s *S3Store) Delete(ctx context.Context, d Digest) error {
	if ok, err := s.Has(ctx, d); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("delete: %w: object %s", ErrNotFound, d)
	}
	return s.remove(ctx, d)
}

// remove deletes object d from the service and the cache.
func (s *S3Store) remove(ctx context.Context, d Digest) error {
	if err := s.client.RemoveObject(ctx, s.bucket, s.objectKey(d), minio.RemoveObjectOptions{}); err != nil {
		return s3Error(err, "delete object "+string(d))
	}
	if s.cache != nil {
		if err := s.cache.Delete(ctx, d); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}
