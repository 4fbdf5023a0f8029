package nn

import "os"

// EnvGoKernels is the environment variable that, set to 1, makes the
// process run the element-wise row kernels in Go even where the CPU has
// AVX2 and FMA: to reproduce, bit for bit, a run made on a machine without
// them, and for the CI leg that tests the Go kernels on one that has them.
const EnvGoKernels = "PIPE_NN_GO_KERNELS"

// rowKernels selects how the element-wise row passes run: with asm, the
// AVX2+FMA assembly (fastmath_amd64.s, fastrow_amd64.s) on the
// multiple-of-8 head of each row and the Go version on the tail; without,
// Go throughout. The two agree to float32 rounding (the assembly fuses
// multiply-adds), not bit for bit.
type rowKernels struct {
	asm bool
}

// rowKern is the process's choice, fixed at start: the assembly where it
// is built (not under the noasm tag) and the CPU has AVX2 and FMA, unless
// EnvGoKernels is 1. A machine thus always takes the same path and its
// results are reproducible; tests compare the paths with rowKernels values
// of their own.
var rowKern = rowKernels{asm: haveAsm && os.Getenv(EnvGoKernels) != "1"}

// Kernels names the element-wise kernels this process uses: "avx2+fma"
// (the assembly of fastmath_amd64.s and fastrow_amd64.s) or "go". The two
// agree to a few ulps, not bit for bit, so run records keep the choice
// (see pipeline's Config.Backend).
func Kernels() string {
	if rowKern.asm {
		return "avx2+fma"
	}
	return "go"
}
