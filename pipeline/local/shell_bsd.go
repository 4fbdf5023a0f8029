//go:build unix && !linux && !darwin

package local

import "syscall"

// shellProcAttr puts a shell stage in its own process group. These systems
// have no parent-death signal: a shell stage outlives a pipe that is killed
// (SIGKILL) without cancelling it.
func shellProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// maxrssUnit is the unit of getrusage's ru_maxrss in bytes: KiB on the BSDs.
const maxrssUnit = 1024
