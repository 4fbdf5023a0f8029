package local

import "syscall"

// shellProcAttr puts a shell stage in its own process group and has Linux
// kill it (SIGKILL) should pipe die without cancelling it.
func shellProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// maxrssUnit is the unit of getrusage's ru_maxrss in bytes: KiB on Linux.
const maxrssUnit = 1024
