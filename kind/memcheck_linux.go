package kind

import "golang.org/x/sys/unix"

// physicalMemory returns the machine's RAM in bytes from sysinfo(2) (0 if
// unknown, which disables the memory check).
func physicalMemory() float64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return float64(si.Totalram) * float64(si.Unit)
}
