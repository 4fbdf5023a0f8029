//go:build unix

package local

import (
	"os"
	"syscall"
)

// killGroup kills the shell stage's whole process group (shellProcAttr
// made the shell its leader), so that nothing it started outlives it.
func killGroup(p *os.Process) error {
	return syscall.Kill(-p.Pid, syscall.SIGKILL)
}

// peakRSS is the largest resident set of the finished shell and its
// waited-for descendants, in bytes (0 when unknown).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * maxrssUnit
	}
	return 0
}
