package storetest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// Options adapts the suite to an implementation.
type Options struct {
	// Corrupt damages object d in s so that its bytes no longer hash to d
	// while it stays present (as a flipped byte on disk would). When nil,
	// the corruption subtests are skipped.
	Corrupt func(t *testing.T, s artifacts.Store, d artifacts.Digest)
}

// Run runs the conformance suite without the corruption subtests; newStore
// must return a fresh, empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) artifacts.Store) {
	RunWith(t, newStore, Options{})
}

// RunWith runs the conformance suite with implementation-specific options.
func RunWith(t *testing.T, newStore func(t *testing.T) artifacts.Store, opts Options) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s artifacts.Store)
	}{
		{"PutGet", testPutGet},
		{"DigestForm", testDigestForm},
		{"PutFile", testPutFile},
		{"Materialize", testMaterialize},
		{"NotFound", testNotFound},
		{"BadDigest", testBadDigest},
		{"Quarantine", testQuarantine},
		{"Delete", testDelete},
		{"Objects", testObjects},
		{"Canceled", testCanceled},
		{"Records", testRecords},
		{"RecordsEnumerate", testRecordsEnumerate},
		{"Refs", testRefs},
		{"RefsPrefix", testRefsPrefix},
		{"RefNames", testRefNames},
		{"RefConflicts", testRefConflicts},
		{"ConcurrentPut", testConcurrentPut},
		{"ConcurrentRecordsRefs", testConcurrentRecordsRefs},
		{"LockExclusive", testLockExclusive},
		{"LockWait", testLockWait},
		{"LockCancel", testLockCancel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
	t.Run("Corrupt", func(t *testing.T) {
		if opts.Corrupt == nil {
			t.Skip("no Options.Corrupt hook for this implementation")
		}
		for _, size := range []int{0, 10, 200 << 10} {
			s := newStore(t)
			testCorrupt(t, s, randomBytes(uint64(size), size), opts.Corrupt)
		}
	})
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// put stores b and checks the returned digest.
func put(t *testing.T, s artifacts.Store, b []byte) artifacts.Digest {
	t.Helper()
	d, err := s.Put(context.Background(), bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Put(%d bytes): %v", len(b), err)
	}
	if want := artifacts.DigestOf(b); d != want {
		t.Fatalf("Put(%d bytes) = %s, want %s", len(b), d, want)
	}
	return d
}

// countObjects returns the number of objects Objects visits.
func countObjects(t *testing.T, s artifacts.Store) int {
	t.Helper()
	n := 0
	err := s.Objects(context.Background(), func(artifacts.Digest, int64) error { n++; return nil })
	if err != nil {
		t.Fatalf("Objects: %v", err)
	}
	return n
}

// missingDigest is a well-formed digest no test stores.
var missingDigest = artifacts.DigestOf([]byte("storetest: never stored"))
