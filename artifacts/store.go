package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Sentinel errors; implementations wrap them with %w so callers test with errors.Is.
var (
	// ErrNotFound reports a missing object, record or reference.
	ErrNotFound = errors.New("artifacts: not found")
	// ErrCorrupt reports an object whose bytes do not hash to its digest.
	ErrCorrupt = errors.New("artifacts: object corrupt")
	// ErrBadDigest reports a string that is not a full lowercase sha256 hex digest.
	ErrBadDigest = errors.New("artifacts: malformed digest")
)

// Digest names an object: the full lowercase hex sha256 of its bytes.
type Digest string

// DigestOf returns the digest of b.
func DigestOf(b []byte) Digest {
	s := sha256.Sum256(b)
	return Digest(hex.EncodeToString(s[:]))
}

// ParseDigest checks that s is a well-formed digest.
func ParseDigest(s string) (Digest, error) {
	if len(s) != 64 {
		return "", fmt.Errorf("%w: %q", ErrBadDigest, s)
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", fmt.Errorf("%w: %q", ErrBadDigest, s)
		}
	}
	return Digest(s), nil
}

// Short returns the first 12 hex digits, for display.
func (d Digest) Short() string {
	if len(d) < 12 {
		return string(d)
	}
	return string(d[:12])
}

// Key identifies one stage run: a hash of the canonical encoding of the
// stage's kind fingerprint (or shell command), params, input digests and
// output names (see package pipeline). It has the same form as a Digest.
type Key string

// Store is a content-addressed object store with run records, references and
// locks: the composition of Objects, Records, Refs and Locker. Every method
// is safe for concurrent use by several goroutines and, for on-disk
// implementations, by several processes sharing the directory. Code that
// needs one role takes that interface only, so a fake for its tests is
// small. The conformance suite in artifacts/storetest checks any Store.
type Store interface {
	Objects
	Records
	Refs
	Locker
}

// Objects holds immutable objects named by the digest of their bytes (as
// reflow's Repository holds file contents).
type Objects interface {
	// Put stores the bytes of r and returns their digest. Storing bytes that
	// are already present is cheap and leaves the existing object in place.
	Put(ctx context.Context, r io.Reader) (Digest, error)
	// PutFile stores the contents of the file at path.
	PutFile(ctx context.Context, path string) (Digest, error)
	// Get returns the verified bytes of an object: ErrNotFound if absent,
	// ErrCorrupt if its bytes no longer match d.
	Get(ctx context.Context, d Digest) ([]byte, error)
	// Open streams an object; the reader returns ErrCorrupt instead of io.EOF
	// when the bytes read do not match d.
	Open(ctx context.Context, d Digest) (io.ReadCloser, error)
	// Materialize writes a verified copy of object d to path (atomically),
	// for programs such as shell stages that need a file.
	Materialize(ctx context.Context, d Digest, path string) error
	// Has reports whether an object is present (without verifying it).
	Has(ctx context.Context, d Digest) (bool, error)
	// Objects calls fn for every object with its size in bytes.
	Objects(ctx context.Context, fn func(d Digest, size int64) error) error
	// Verify re-hashes object d: nil, ErrNotFound or ErrCorrupt.
	Verify(ctx context.Context, d Digest) error
	// Quarantine moves object d out of the store's namespace (kept for inspection).
	Quarantine(ctx context.Context, d Digest) error
	// Delete removes object d.
	Delete(ctx context.Context, d Digest) error
}

// Records maps a run's key to its RunRecord (as reflow's Assoc maps keys to
// values).
type Records interface {
	// PutRecord stores r under r.Key atomically, replacing any earlier record.
	PutRecord(ctx context.Context, r *RunRecord) error
	// GetRecord returns the record for key, or ErrNotFound.
	GetRecord(ctx context.Context, key Key) (*RunRecord, error)
	// Records calls fn for every record.
	Records(ctx context.Context, fn func(r *RunRecord) error) error
	// DeleteRecord removes the record for key.
	DeleteRecord(ctx context.Context, key Key) error
}

// Refs holds small named values that can be replaced: the latest run of a
// stage, the keys of a pipeline's last run, caches.
type Refs interface {
	// SetRef sets the named reference (a slash-separated name such as
	// "stages/train" or "pipelines/paper-tables/ci") to value, atomically.
	SetRef(ctx context.Context, name string, value []byte) error
	// GetRef returns the value of a reference, or ErrNotFound.
	GetRef(ctx context.Context, name string) ([]byte, error)
	// Refs calls fn for every reference whose name starts with prefix.
	Refs(ctx context.Context, prefix string, fn func(name string, value []byte) error) error
	// DeleteRef removes a reference.
	DeleteRef(ctx context.Context, name string) error
}

// Locker hands out named exclusive locks shared by every user of a store.
type Locker interface {
	// Lock takes the exclusive lock called name, waiting until it is free or
	// ctx is done. Locks are held by the process (for on-disk stores, an OS
	// file lock released automatically if the process dies).
	Lock(ctx context.Context, name string) (unlock func() error, err error)
}
