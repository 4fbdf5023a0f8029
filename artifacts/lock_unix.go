//go:build unix

package artifacts

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// tryLockFile takes an flock of f, shared or exclusive, without waiting:
// ok is false when another open file holds a conflicting one. The lock
// belongs to the open file description and goes when it is closed, or
// when the process exits, however it exits.
func tryLockFile(f *os.File, shared bool) (ok bool, err error) {
	mode := unix.LOCK_EX
	if shared {
		mode = unix.LOCK_SH
	}
	for {
		err := unix.Flock(int(f.Fd()), mode|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		default:
			return false, fmt.Errorf("flock %s: %w", f.Name(), err)
		}
	}
}

// unlockFile drops the flock of f.
func unlockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
