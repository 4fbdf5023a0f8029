package artifacts_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// TestSharedLockExcludesExclusive checks that shared holders coexist, that
// TryLock and Lock are refused while any shared holder remains, and that
// RemoveLock deletes the lock file.
func TestSharedLockExcludesExclusive(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	u1, err := s.LockShared(ctx, artifacts.StoreLock)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := s.LockShared(ctx, artifacts.StoreLock)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.TryLock(artifacts.StoreLock); ok || err != nil {
		t.Fatalf("TryLock under shared holders: ok=%v err=%v", ok, err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(short, artifacts.StoreLock); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock under shared holders err = %v, want deadline", err)
	}
	u1()
	if _, ok, _ := s.TryLock(artifacts.StoreLock); ok {
		t.Fatal("TryLock succeeded while one shared holder remains")
	}
	u2()
	unlock, ok, err := s.TryLock(artifacts.StoreLock)
	if !ok || err != nil {
		t.Fatalf("TryLock on a free lock: ok=%v err=%v", ok, err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := s.LockShared(short2, artifacts.StoreLock); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockShared under an exclusive holder err = %v, want deadline", err)
	}
	unlock()
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "locks"))
	if len(entries) != 1 {
		t.Fatalf("lock files = %d, want 1", len(entries))
	}
	if err := s.RemoveLock(artifacts.StoreLock); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.Dir(), "locks")); len(entries) != 0 {
		t.Fatalf("lock files after RemoveLock = %d", len(entries))
	}
}

// TestNamespaceIsolatesRefs checks that two namespaced views of one store
// neither see nor overwrite each other's references, and that ForeignRefs
// lists the other's.
func TestNamespaceIsolatesRefs(t *testing.T) {
	ctx := context.Background()
	s := openDir(t)
	a, err := s.WithNamespace("projects/a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.WithNamespace("projects/b")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRef(ctx, "stages/x", []byte("from a")); err != nil {
		t.Fatal(err)
	}
	if err := b.SetRef(ctx, "stages/x", []byte("from b")); err != nil {
		t.Fatal(err)
	}
	if v, err := a.GetRef(ctx, "stages/x"); err != nil || string(v) != "from a" {
		t.Fatalf("a's ref = %q, %v", v, err)
	}
	var own []string
	_ = a.Refs(ctx, "", func(name string, _ []byte) error { own = append(own, name); return nil })
	if len(own) != 1 || own[0] != "stages/x" {
		t.Fatalf("a's refs = %v", own)
	}
	var foreign []string
	_ = a.ForeignRefs(ctx, func(name string, _ []byte) error { foreign = append(foreign, name); return nil })
	if len(foreign) != 1 || foreign[0] != "projects/b/stages/x" {
		t.Fatalf("a's foreign refs = %v", foreign)
	}
}
