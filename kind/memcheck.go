package kind

import (
	"fmt"
	"strings"
)

// The machine's RAM comes from physicalMemory, one per platform
// (memcheck_linux.go, memcheck_darwin.go, memcheck_other.go); 0 means
// unknown and skips the memory check.

// checkMemory adds a problem, keyed by the first param the kind's Memory
// estimate names, when the estimate exceeds limit bytes.
func (k *Kind) checkMemory(p Params, problems map[string]string, limit float64) {
	if k.Memory == nil || limit <= 0 {
		return
	}
	need, names := k.Memory(p)
	if need <= limit || len(names) == 0 {
		return
	}
	vals := make([]string, len(names))
	for i, n := range names {
		vals[i] = fmt.Sprintf("%s = %v", n, p[n])
	}
	problems[names[0]] = fmt.Sprintf("%s need at least %s of memory, more than this machine's %s: lower %s",
		strings.Join(vals, ", "), gib(need), gib(limit), strings.Join(names, " or "))
}

// gib formats a byte count for the memory message.
func gib(b float64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", b/(1<<20))
}
