//go:build !unix

package executortest

import "os"

// alive reports whether a process exists. Where processes cannot be probed
// with signal 0 (Windows), it asks the OS for a handle, which succeeds for
// a live process.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
