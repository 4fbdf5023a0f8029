package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// objectSizes straddle the boundaries an implementation may have (empty,
// one byte, an in-memory threshold around 64 KiB, a multi-buffer stream).
var objectSizes = []int{0, 1, 1000, 64<<10 - 1, 64 << 10, 64<<10 + 1, 1<<20 + 7}

func testPutGet(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	for i, n := range objectSizes {
		b := randomBytes(uint64(i), n)
		d := put(t, s, b)
		got, err := s.Get(ctx, d)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("Get(%d bytes): %d bytes, err %v", n, len(got), err)
		}
		if ok, err := s.Has(ctx, d); !ok || err != nil {
			t.Fatalf("Has(%d bytes) = %v, %v", n, ok, err)
		}
		if err := s.Verify(ctx, d); err != nil {
			t.Fatalf("Verify(%d bytes): %v", n, err)
		}
		rc, err := s.Open(ctx, d)
		if err != nil {
			t.Fatalf("Open(%d bytes): %v", n, err)
		}
		var buf bytes.Buffer
		// Odd-sized reads: the digest check must not depend on chunking.
		if _, err := io.CopyBuffer(&buf, struct{ io.Reader }{rc}, make([]byte, 4093)); err != nil {
			t.Fatalf("Open(%d bytes) read: %v", n, err)
		}
		if err := rc.Close(); err != nil || !bytes.Equal(buf.Bytes(), b) {
			t.Fatalf("Open(%d bytes): read %d bytes, close err %v", n, buf.Len(), err)
		}
	}
	before := countObjects(t, s)
	if before != len(objectSizes) {
		t.Fatalf("Objects visited %d, want %d", before, len(objectSizes))
	}
	for i, n := range objectSizes { // dedup: storing again adds nothing
		put(t, s, randomBytes(uint64(i), n))
	}
	if after := countObjects(t, s); after != before {
		t.Fatalf("storing duplicates changed the object count from %d to %d", before, after)
	}
}

func testDigestForm(t *testing.T, s artifacts.Store) {
	// FIPS 180-2 check value: sha256("abc").
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if d := put(t, s, []byte("abc")); d != abc {
		t.Fatalf("Put(abc) = %s, want %s", d, abc)
	}
	for i := range 20 {
		d := put(t, s, randomBytes(uint64(100+i), i*37))
		if _, err := artifacts.ParseDigest(string(d)); err != nil || strings.ToLower(string(d)) != string(d) {
			t.Fatalf("digest %q is not full lowercase hex sha256: %v", d, err)
		}
	}
}

func testPutFile(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "input.bin")
	b := randomBytes(7, 300<<10)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := s.PutFile(ctx, path)
	if err != nil || d != artifacts.DigestOf(b) {
		t.Fatalf("PutFile = %s, %v; want %s", d, err, artifacts.DigestOf(b))
	}
	if got, err := s.Get(ctx, d); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Get after PutFile: %d bytes, %v", len(got), err)
	}
	if _, err := s.PutFile(ctx, path+".missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("PutFile(missing) err = %v, want fs.ErrNotExist", err)
	}
}

func testMaterialize(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	b := randomBytes(8, 100<<10)
	d := put(t, s, b)
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Materialize(ctx, d, path); err != nil {
		t.Fatalf("Materialize: %v", err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("materialized file: %d bytes, %v", len(got), err)
	}
	if err := s.Materialize(ctx, d, filepath.Join(dir, "no", "such", "dir", "x")); err == nil {
		t.Fatal("Materialize into a missing directory succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Materialize left %d entries in the target directory (%v), want 1", len(entries), err)
	}
}

func testNotFound(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	d := missingDigest
	if ok, err := s.Has(ctx, d); ok || err != nil {
		t.Fatalf("Has(missing) = %v, %v; want false, nil", ok, err)
	}
	checks := map[string]error{}
	_, checks["Get"] = s.Get(ctx, d)
	_, checks["Open"] = s.Open(ctx, d)
	checks["Materialize"] = s.Materialize(ctx, d, filepath.Join(t.TempDir(), "x"))
	checks["Verify"] = s.Verify(ctx, d)
	checks["Quarantine"] = s.Quarantine(ctx, d)
	checks["Delete"] = s.Delete(ctx, d)
	_, checks["GetRecord"] = s.GetRecord(ctx, artifacts.Key(d))
	checks["DeleteRecord"] = s.DeleteRecord(ctx, artifacts.Key(d))
	_, checks["GetRef"] = s.GetRef(ctx, "no/such/ref")
	checks["DeleteRef"] = s.DeleteRef(ctx, "no/such/ref")
	for op, err := range checks {
		if !errors.Is(err, artifacts.ErrNotFound) {
			t.Errorf("%s(missing) err = %v, want ErrNotFound", op, err)
		}
	}
}

func testBadDigest(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	good := string(artifacts.DigestOf([]byte("x")))
	for _, bad := range []string{"", "abc", good[:63], good + "0", strings.ToUpper(good), "../" + good[3:], good[:62] + "g0"} {
		d := artifacts.Digest(bad)
		checks := map[string]error{}
		_, checks["Get"] = s.Get(ctx, d)
		_, checks["Open"] = s.Open(ctx, d)
		_, checks["Has"] = s.Has(ctx, d)
		checks["Verify"] = s.Verify(ctx, d)
		checks["Quarantine"] = s.Quarantine(ctx, d)
		checks["Delete"] = s.Delete(ctx, d)
		checks["Materialize"] = s.Materialize(ctx, d, filepath.Join(t.TempDir(), "x"))
		_, checks["GetRecord"] = s.GetRecord(ctx, artifacts.Key(bad))
		checks["PutRecord"] = s.PutRecord(ctx, &artifacts.RunRecord{Key: artifacts.Key(bad)})
		checks["DeleteRecord"] = s.DeleteRecord(ctx, artifacts.Key(bad))
		for op, err := range checks {
			if !errors.Is(err, artifacts.ErrBadDigest) {
				t.Errorf("%s(%q) err = %v, want ErrBadDigest", op, bad, err)
			}
		}
	}
}

func testQuarantine(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	b := []byte("quarantined bytes")
	d := put(t, s, b)
	keep := put(t, s, []byte("kept bytes"))
	if err := s.Quarantine(ctx, d); err != nil {
		t.Fatalf("Quarantine: %v", err)
	}
	if ok, err := s.Has(ctx, d); ok || err != nil {
		t.Fatalf("Has after Quarantine = %v, %v", ok, err)
	}
	if _, err := s.Get(ctx, d); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("Get after Quarantine err = %v, want ErrNotFound", err)
	}
	if err := s.Quarantine(ctx, d); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("second Quarantine err = %v, want ErrNotFound", err)
	}
	err := s.Objects(ctx, func(o artifacts.Digest, _ int64) error {
		if o != keep {
			t.Errorf("Objects visited %s after quarantine", o)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, b) // storing the bytes again brings the object back
	if got, err := s.Get(ctx, d); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Get after re-Put: %q, %v", got, err)
	}
}

func testDelete(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	d1 := put(t, s, []byte("one"))
	d2 := put(t, s, []byte("two"))
	if err := s.Delete(ctx, d1); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if ok, _ := s.Has(ctx, d1); ok {
		t.Fatal("Has after Delete = true")
	}
	if err := s.Delete(ctx, d1); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("second Delete err = %v, want ErrNotFound", err)
	}
	if err := s.Verify(ctx, d2); err != nil {
		t.Fatalf("Delete disturbed another object: %v", err)
	}
}

func testObjects(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	want := map[artifacts.Digest]int64{}
	for i := range 150 { // spans many two-hex fan-out directories
		b := randomBytes(uint64(1000+i), i%50)
		want[put(t, s, b)] = int64(len(b))
	}
	got := map[artifacts.Digest]int64{}
	err := s.Objects(ctx, func(d artifacts.Digest, size int64) error {
		if _, dup := got[d]; dup {
			t.Errorf("Objects visited %s twice", d)
		}
		got[d] = size
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Objects visited %d objects, want %d", len(got), len(want))
	}
	for d, n := range want {
		if got[d] != n {
			t.Errorf("Objects: %s has size %d, want %d", d, got[d], n)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err = s.Objects(ctx, func(artifacts.Digest, int64) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("Objects with failing fn: err %v after %d calls; want stop after 1", err, calls)
	}
}

func testCanceled(t *testing.T, s artifacts.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with canceled ctx err = %v", err)
	}
	if _, err := s.Lock(ctx, "l"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with canceled ctx err = %v", err)
	}
	d := put(t, s, randomBytes(3, 1<<20))
	if err := s.Verify(ctx, d); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with canceled ctx err = %v", err)
	}
}

// testCorrupt damages an object with the implementation's hook and checks
// every read path refuses it, while storing the bytes again repairs it.
func testCorrupt(t *testing.T, s artifacts.Store, b []byte, corrupt func(*testing.T, artifacts.Store, artifacts.Digest)) {
	ctx := context.Background()
	d := put(t, s, b)
	corrupt(t, s, d)
	isCorrupt := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, artifacts.ErrCorrupt) || !strings.Contains(err.Error(), string(d)) {
			t.Errorf("%s of corrupt %d-byte object: err %v, want ErrCorrupt naming %s", op, len(b), err, d)
		}
	}
	if ok, err := s.Has(ctx, d); !ok || err != nil {
		t.Fatalf("Has(corrupt) = %v, %v; want true (Has does not verify)", ok, err)
	}
	_, err := s.Get(ctx, d)
	isCorrupt("Get", err)
	isCorrupt("Verify", s.Verify(ctx, d))
	rc, err := s.Open(ctx, d)
	if err != nil {
		t.Fatalf("Open(corrupt): %v", err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	isCorrupt("Open+ReadAll", err)

	path := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	isCorrupt("Materialize", s.Materialize(ctx, d, path))
	if got, _ := os.ReadFile(path); string(got) != "previous" {
		t.Errorf("failed Materialize changed the target file to %d bytes", len(got))
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("failed Materialize left %d files in the target directory", len(entries))
	}

	put(t, s, b) // a fresh copy of the bytes replaces the damaged one
	if got, err := s.Get(ctx, d); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Get after repairing Put: %d bytes, %v", len(got), err)
	}
}
