package artifacts

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// procLocks serializes lock holders within one process. Each lock name has
// a one-slot channel; waiting on it (rather than polling the OS lock) wakes
// the next goroutine as soon as the holder releases, and select lets the
// wait end with ctx.
type procLocks struct {
	mu    sync.Mutex
	slots map[string]*lockSlot
}

type lockSlot struct {
	ch    chan struct{} // holds a token while the lock is taken
	users int           // holders and waiters; the slot is dropped at zero
}

// acquire takes the in-process lock key, or returns ctx's error.
func (p *procLocks) acquire(ctx context.Context, key string) (release func(), err error) {
	p.mu.Lock()
	if p.slots == nil {
		p.slots = make(map[string]*lockSlot)
	}
	s := p.slots[key]
	if s == nil {
		s = &lockSlot{ch: make(chan struct{}, 1)}
		p.slots[key] = s
	}
	s.users++
	p.mu.Unlock()

	drop := func() {
		p.mu.Lock()
		if s.users--; s.users == 0 {
			delete(p.slots, key)
		}
		p.mu.Unlock()
	}
	select {
	case s.ch <- struct{}{}:
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
	return func() { <-s.ch; drop() }, nil
}

// Backoff bounds for polling a lock held by another process.
const (
	lockPollMin = time.Millisecond
	lockPollMax = 32 * time.Millisecond
)

// lockFileWait takes a file lock of f, shared or exclusive (tryLockFile,
// one per platform), polling so that the wait can end with ctx: a blocking
// lock cannot be interrupted.
func lockFileWait(ctx context.Context, f *os.File, shared bool) error {
	wait := lockPollMin
	for {
		ok, err := tryLockFile(f, shared)
		if err != nil || ok {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		wait = min(2*wait, lockPollMax)
	}
}

// Lock takes the exclusive lock called name: first within this process,
// then across processes with a file lock (flock; LockFileEx on Windows) on
// locks/<sha256(name)>.lock. The OS drops it when the process exits,
// however it exits. Lock files are
// deleted only by RemoveLock: removing a file another process has open and
// is about to lock would let two holders lock two different files.
func (s *DirStore) Lock(ctx context.Context, name string) (unlock func() error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := s.lockPath(name)
	release, err := s.procs.acquire(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	// A separate open per holder: the file lock belongs to the open file,
	// so it also excludes other opens in this process.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		release()
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	if err := lockFileWait(ctx, f, false); err != nil {
		f.Close()
		release()
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	// Closing the file drops the file lock; the explicit unlock makes the
	// order (OS lock, then in-process slot) obvious.
	return closeOnce(f, release), nil
}

// Lock takes the exclusive lock called name within this MemStore.
func (m *MemStore) Lock(ctx context.Context, name string) (unlock func() error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	release, err := m.procs.acquire(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	var once sync.Once
	return func() error { once.Do(release); return nil }, nil
}
