//go:build !amd64

package openblas

// The x86 kernel families are never offered on other architectures.
func hasAVX512() bool     { return false }
func hasAVX512BF16() bool { return false }
func hasAVX2FMA() bool    { return false }
