//go:build unix

package openblas

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used. On
// a shared machine a benchmark's CPU time per operation moves much less
// with other programs' load than its wall time does.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
