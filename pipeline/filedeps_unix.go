//go:build unix

package pipeline

import (
	"os"
	"syscall"
)

// inode is the file's inode number: a file replaced by another of the same
// size and modification time (a rename over it) still gets hashed again.
func inode(fi os.FileInfo) uint64 {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Ino)
	}
	return 0
}
