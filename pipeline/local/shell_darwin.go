package local

import "syscall"

// shellProcAttr puts a shell stage in its own process group. macOS has no
// parent-death signal: a shell stage outlives a pipe that is killed
// (SIGKILL) without cancelling it.
func shellProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// maxrssUnit is the unit of getrusage's ru_maxrss in bytes: macOS reports
// bytes, where Linux reports KiB.
const maxrssUnit = 1
