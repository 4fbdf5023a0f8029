package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// StoreLock is the name of the lock that orders runs against garbage
// collection: every run holds it shared for its whole length (its new
// records are not referenced until it ends), and `pipe gc` holds it
// exclusively, so a collection never sees a run's unreferenced work.
const StoreLock = "store"

// SharedLocker is a Store whose locks can also be taken shared. DirStore
// implements it; a Store without it gives runs no protection from a
// concurrent collection in another process (MemStore has no other process).
type SharedLocker interface {
	// LockShared takes the lock called name shared: any number of shared
	// holders at once, none while an exclusive (Lock) holder has it.
	LockShared(ctx context.Context, name string) (unlock func() error, err error)
	// TryLock takes the lock called name exclusively if no one holds it, and
	// reports ok = false at once otherwise.
	TryLock(name string) (unlock func() error, ok bool, err error)
}

var _ SharedLocker = (*DirStore)(nil)

// LockShared takes a shared file lock on locks/<sha256(name)>.lock. Shared
// holders in one process each have their own open file, so an exclusive
// Lock in the same process waits for them as one in another process does.
func (s *DirStore) LockShared(ctx context.Context, name string) (unlock func() error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.lockPath(name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %q shared: %w", name, err)
	}
	if err := lockFileWait(ctx, f, true); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %q shared: %w", name, err)
	}
	return closeOnce(f, func() {}), nil
}

// TryLock takes the exclusive lock called name only if it is free now.
// Like Lock, it holds a file lock of its own open file.
func (s *DirStore) TryLock(name string) (unlock func() error, ok bool, err error) {
	f, err := os.OpenFile(s.lockPath(name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("lock %q: %w", name, err)
	}
	ok, err = tryLockFile(f, false)
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock %q: %w", name, err)
	} else if !ok {
		f.Close()
		return nil, false, nil
	}
	// The file lock alone excludes Lock callers of this process too: each
	// holds its own open file.
	return closeOnce(f, func() {}), true, nil
}

// closeOnce returns an unlock that drops the file lock of f, closes it and then
// calls release, once however often it is called.
func closeOnce(f *os.File, release func()) func() error {
	var once sync.Once
	return func() error {
		err := error(nil)
		once.Do(func() {
			err = unlockFile(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			release()
		})
		return err
	}
}

// RemoveLock deletes the file of the lock called name. It is safe only
// while no process can be waiting for that lock: `pipe gc` calls it, under
// the exclusive StoreLock, for the keys whose records it deleted (every
// key lock is taken inside a run, which holds StoreLock shared).
func (s *DirStore) RemoveLock(name string) error {
	err := os.Remove(s.lockPath(name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove lock %q: %w", name, err)
	}
	return nil
}
