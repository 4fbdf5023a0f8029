package artifacts

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MemStore is a Store held in memory, for fast tests of code that uses a
// Store. It behaves like DirStore in everything the conformance suite
// checks: records are kept in their JSON form, so they come back exactly as
// DirStore returns them, and references obey the same naming rules.
type MemStore struct {
	mu          sync.RWMutex
	objects     map[Digest][]byte // never mutated in place: readers may hold a slice
	quarantined map[string][]byte // "<digest>.<unix-nanos>"
	records     map[Key][]byte
	refs        map[string][]byte
	procs       procLocks
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{
		objects:     make(map[Digest][]byte),
		quarantined: make(map[string][]byte),
		records:     make(map[Key][]byte),
		refs:        make(map[string][]byte),
	}
}

// CorruptForTest flips the last byte of object d (or gives an empty object
// one byte), so tests can check that corruption is detected. It panics if d
// is absent.
func (m *MemStore) CorruptForTest(d Digest) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[d]
	if !ok {
		panic(fmt.Sprintf("artifacts: CorruptForTest: no object %s", d))
	}
	c := append([]byte(nil), b...)
	if len(c) == 0 {
		c = []byte{0}
	} else {
		c[len(c)-1] ^= 0xff
	}
	m.objects[d] = c
}

// Put stores the bytes of r, replacing a corrupt copy if there is one.
func (m *MemStore) Put(ctx context.Context, r io.Reader) (Digest, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := io.ReadAll(ctxReader{ctx, r})
	if err != nil {
		return "", fmt.Errorf("put: %w", err)
	}
	d := DigestOf(b)
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.objects[d]; !ok || !bytes.Equal(old, b) {
		m.objects[d] = b
	}
	return d, nil
}

// PutFile stores the contents of the file at path.
func (m *MemStore) PutFile(ctx context.Context, path string) (Digest, error) {
	return putFile(ctx, m, path)
}

// object returns the stored (possibly corrupt) bytes of d.
func (m *MemStore) object(d Digest) ([]byte, error) {
	if err := checkDigest(d); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.objects[d]
	if !ok {
		return nil, fmt.Errorf("%w: object %s", ErrNotFound, d)
	}
	return b, nil
}

// Get returns a verified copy of object d.
func (m *MemStore) Get(ctx context.Context, d Digest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := m.object(d)
	if err != nil {
		return nil, err
	}
	if got := DigestOf(b); got != d {
		return nil, corruptError(d, "memory", string(got))
	}
	return append([]byte{}, b...), nil
}

// Open streams object d, verifying it at the end like DirStore.Open.
func (m *MemStore) Open(ctx context.Context, d Digest) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := m.object(d)
	if err != nil {
		return nil, err
	}
	return newVerifyReader(bytes.NewReader(b), nil, d, "memory"), nil
}

// Materialize writes a verified copy of object d to path, atomically.
func (m *MemStore) Materialize(ctx context.Context, d Digest, path string) error {
	return materialize(ctx, m, d, path)
}

// Has reports whether object d is present.
func (m *MemStore) Has(ctx context.Context, d Digest) (bool, error) {
	_, err := m.object(d)
	if err == nil {
		return true, nil
	}
	if checkDigest(d) != nil {
		return false, err
	}
	return false, nil
}

// Objects calls fn for every object in digest order. It works on a snapshot
// of the names, so fn may use the store.
func (m *MemStore) Objects(ctx context.Context, fn func(d Digest, size int64) error) error {
	m.mu.RLock()
	ds := make([]Digest, 0, len(m.objects))
	for d := range m.objects {
		ds = append(ds, d)
	}
	m.mu.RUnlock()
	slices.Sort(ds)
	for _, d := range ds {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.mu.RLock()
		b, ok := m.objects[d]
		m.mu.RUnlock()
		if !ok {
			continue
		}
		if err := fn(d, int64(len(b))); err != nil {
			return err
		}
	}
	return nil
}

// Verify re-hashes object d.
func (m *MemStore) Verify(ctx context.Context, d Digest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := m.object(d)
	if err != nil {
		return err
	}
	if got := DigestOf(b); got != d {
		return corruptError(d, "memory", string(got))
	}
	return nil
}

// Quarantine moves object d out of the store's namespace.
func (m *MemStore) Quarantine(ctx context.Context, d Digest) error {
	if err := checkDigest(d); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[d]
	if !ok {
		return fmt.Errorf("quarantine: %w: object %s", ErrNotFound, d)
	}
	delete(m.objects, d)
	m.quarantined[string(d)+"."+strconv.FormatInt(time.Now().UnixNano(), 10)] = b
	return nil
}

// Delete removes object d.
func (m *MemStore) Delete(ctx context.Context, d Digest) error {
	if err := checkDigest(d); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[d]; !ok {
		return fmt.Errorf("delete: %w: object %s", ErrNotFound, d)
	}
	delete(m.objects, d)
	return nil
}

// sortedKeys returns the keys of a map under m's read lock, sorted.
func sortedKeys[K ~string, V any](m *MemStore, src map[K]V, keep func(K) bool) []K {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ks := make([]K, 0, len(src))
	for k := range src {
		if keep(k) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// hasRefConflict reports whether name would be both a reference and the
// parent of another (as "a" and "a/b"), which DirStore cannot represent.
func (m *MemStore) hasRefConflict(name string) bool {
	for i := 0; i < len(name); i++ {
		if _, ok := m.refs[name[:i]]; ok && name[i] == '/' {
			return true
		}
	}
	for k := range m.refs {
		if strings.HasPrefix(k, name+"/") {
			return true
		}
	}
	return false
}
