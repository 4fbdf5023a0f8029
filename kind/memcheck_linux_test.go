package kind

import "testing"

// TestPhysicalMemoryLinux checks that sysinfo(2) gives a plausible RAM size
// (the memory check is silently skipped when it gives 0).
func TestPhysicalMemoryLinux(t *testing.T) {
	if m := physicalMemory(); m < 64<<20 || m > 1<<50 {
		t.Errorf("physicalMemory() = %g bytes, want between 64 MiB and 1 PiB", m)
	}
}
