package local

import (
	"os"
	"syscall"
)

// shellProcAttr starts the shell stage in a new process group. Windows has
// neither a parent-death signal nor group kill by signal: see killGroup.
func shellProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// killGroup kills the shell process. On Windows this does not reach the
// processes the shell started, which may outlive a cancelled stage (the
// README lists this among the platform differences).
func killGroup(p *os.Process) error {
	return p.Kill()
}

// peakRSS is 0 (unknown): Windows reports no peak memory in the process
// state, so run records of shell stages carry none.
func peakRSS(*os.ProcessState) int64 { return 0 }
