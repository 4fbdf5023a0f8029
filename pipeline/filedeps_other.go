//go:build !unix

package pipeline

import "os"

// inode is 0 where os.FileInfo carries no file identity (Windows): the
// digest cache then trusts size and modification time alone, and a file
// replaced by another of the same size and time is not hashed again
// until one of them changes (touching it is enough).
func inode(os.FileInfo) uint64 { return 0 }
