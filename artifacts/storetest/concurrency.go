package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// testConcurrentPut stores, from many goroutines at once, objects every
// goroutine shares (small and streamed) and objects each owns.
func testConcurrentPut(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	const workers, own = 12, 4
	shared := [][]byte{randomBytes(1, 100), randomBytes(2, 0), randomBytes(3, 300<<10)}
	want := map[artifacts.Digest][]byte{}
	for _, b := range shared {
		want[artifacts.DigestOf(b)] = b
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			objs := append([][]byte{}, shared...)
			for i := range own {
				objs = append(objs, randomBytes(uint64(1000*w+i), 1000+(w*own+i)*5000))
			}
			for _, b := range objs {
				d, err := s.Put(ctx, bytes.NewReader(b))
				if err != nil || d != artifacts.DigestOf(b) {
					t.Errorf("concurrent Put(%d bytes) = %s, %v", len(b), d, err)
					return
				}
				mu.Lock()
				want[d] = b
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for d, b := range want {
		if got, err := s.Get(ctx, d); err != nil || !bytes.Equal(got, b) {
			t.Errorf("Get(%s) after concurrent puts: %d bytes, %v", d.Short(), len(got), err)
		}
	}
	if n := countObjects(t, s); n != len(want) {
		t.Fatalf("Objects visited %d, want %d distinct objects", n, len(want))
	}
}

// testConcurrentRecordsRefs has writers replace one record and one reference
// while readers check they only ever see a complete old or new value.
func testConcurrentRecordsRefs(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	base := fullRecord(0)
	if err := s.PutRecord(ctx, base); err != nil {
		t.Fatal(err)
	}
	setRef(t, s, "race/ref", []byte("value-0"))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				r := *base
				r.Stage = fmt.Sprintf("writer-%d-%d", w, i)
				if err := s.PutRecord(ctx, &r); err != nil {
					t.Errorf("PutRecord: %v", err)
				}
				if err := s.SetRef(ctx, "race/ref", []byte(r.Stage)); err != nil {
					t.Errorf("SetRef: %v", err)
				}
			}
		})
		wg.Go(func() {
			for range 25 {
				r, err := s.GetRecord(ctx, base.Key)
				if err != nil || r.Key != base.Key || r.Host != base.Host {
					t.Errorf("GetRecord during writes: %+v, %v", r, err)
				}
				v, err := s.GetRef(ctx, "race/ref")
				if err != nil || !(bytes.HasPrefix(v, []byte("writer-")) || string(v) == "value-0") {
					t.Errorf("GetRef during writes: %q, %v", v, err)
				}
			}
		})
	}
	wg.Wait()
}

// lockTimeout bounds every wait that should succeed, so a broken lock
// fails the test instead of hanging it.
const lockTimeout = 10 * time.Second

// lock takes a lock from the test goroutine.
func lock(t *testing.T, s artifacts.Store, name string) func() error {
	t.Helper()
	unlock, err := tryLock(s, name)
	if err != nil {
		t.Fatal(err)
	}
	return unlock
}

// tryLock takes a lock within lockTimeout; safe in any goroutine.
func tryLock(s artifacts.Store, name string) (func() error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	unlock, err := s.Lock(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("Lock(%q): %w", name, err)
	}
	return unlock, nil
}

// testLockExclusive has goroutines increment a plain counter under the lock;
// holders counts how many are inside at once and must never exceed one.
func testLockExclusive(t *testing.T, s artifacts.Store) {
	const workers, rounds = 8, 30
	var holders atomic.Int32
	counter := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				unlock, err := tryLock(s, "exclusive")
				if err != nil {
					t.Error(err)
					return
				}
				if n := holders.Add(1); n != 1 {
					t.Errorf("%d holders of one lock", n)
				}
				c := counter
				runtime.Gosched()
				counter = c + 1
				holders.Add(-1)
				if err := unlock(); err != nil {
					t.Errorf("unlock: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if counter != workers*rounds {
		t.Fatalf("counter = %d, want %d: updates were lost", counter, workers*rounds)
	}
}

// testLockWait checks that distinct names are independent, that a waiter
// gets the lock when it is released, and that unlock is idempotent.
func testLockWait(t *testing.T, s artifacts.Store) {
	unlockA := lock(t, s, "a")
	unlockB := lock(t, s, "b") // another name: must not wait for "a"
	if err := unlockB(); err != nil {
		t.Fatal(err)
	}
	got := make(chan func() error)
	go func() {
		unlock, err := tryLock(s, "a")
		if err != nil {
			t.Error(err)
			unlock = func() error { return nil }
		}
		got <- unlock
	}()
	select {
	case <-got:
		t.Fatal("Lock(a) succeeded while a was held")
	case <-time.After(50 * time.Millisecond):
	}
	if err := unlockA(); err != nil {
		t.Fatal(err)
	}
	var unlock2 func() error
	select {
	case unlock2 = <-got:
	case <-time.After(2 * lockTimeout):
		t.Fatal("waiter did not get the lock after it was released")
	}
	// A second call of an old unlock must not release the new holder's lock.
	if err := unlockA(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock(a) while held err = %v, want DeadlineExceeded", err)
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}
}

// testLockCancel checks that a waiter stops when its context is canceled
// and that its abandoned wait leaves the lock usable.
func testLockCancel(t *testing.T, s artifacts.Store) {
	unlock := lock(t, s, "busy")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Lock(ctx, "busy")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled Lock err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock did not return after its context was canceled")
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := lock(t, s, "busy")(); err != nil {
		t.Fatal(err)
	}
}
