//go:build unix && !linux

package local

import "syscall"

// shellProcAttr puts a shell stage in its own process group. These systems
// have no parent-death signal: a shell stage outlives a pipe that is killed
// (SIGKILL) without cancelling it.
func shellProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
