//go:build !linux || noopenblas

package openblas

import (
	"fmt"
	"runtime"
)

// open reports that this build has no loader: either the platform is not
// Linux or the noopenblas build tag excluded purego (and with it the fake
// cgo runtime it installs), so the binary stays pure Go.
func open(names []string) (*Library, error) {
	return nil, fmt.Errorf("%w: this build (GOOS %s, or tag noopenblas) has no run-time loader, so %q are not tried",
		ErrUnavailable, runtime.GOOS, names)
}

// gemm is unreachable in this build: Load never returns a Library.
func gemm[T float32 | float64](fn uintptr, s *gemmScalars[T], a, b, c []T) {
	panic("openblas: gemm called in a build without the OpenBLAS loader")
}
