package kind

import "golang.org/x/sys/unix"

// physicalMemory returns the machine's RAM in bytes from the hw.memsize
// sysctl (0 if unknown, which disables the memory check).
func physicalMemory() float64 {
	n, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return 0
	}
	return float64(n)
}
