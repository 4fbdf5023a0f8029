package openblas

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// loadOrSkip returns the process's OpenBLAS or skips the test when the
// library is missing; with PIPE_BLAS=openblas in the environment (the CI
// leg that requires OpenBLAS) a missing library fails the test instead.
func loadOrSkip(tb testing.TB) *Library {
	tb.Helper()
	lib, err := Load()
	if err != nil {
		if strings.EqualFold(strings.TrimSpace(os.Getenv(EnvBackend)), "openblas") {
			tb.Fatalf("%s=openblas but OpenBLAS is not loadable: %v", EnvBackend, err)
		}
		tb.Skipf("OpenBLAS not loadable, testing only the pure-Go fallback: %v", err)
	}
	return lib
}

// withThreads runs f with OpenBLAS set to n threads and restores the
// previous count.
func withThreads(lib *Library, n int, f func()) {
	old := lib.Threads()
	lib.SetThreads(n)
	defer lib.SetThreads(old)
	f()
}

// float is the element type of the two GEMM flavours under test.
type float interface{ float32 | float64 }

// randSlice returns n values uniform in [-1, 1).
func randSlice[T float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// stored returns the rows and columns of the stored matrix whose op is
// rows×cols under transpose t.
func stored(t blas.Transpose, rows, cols int) (int, int) {
	if t == blas.NoTrans {
		return rows, cols
	}
	return cols, rows
}

// gemmBound returns, for C[i,j], the scale of the rounding error of any
// summation order: |alpha| Σ_l |op(A)[i,l]| |op(B)[l,j]| + |beta| |C0[i,j]|.
// Each implementation's error is at most about (k+2)·eps times it.
func gemmBound[T float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c0 []T, ldc, i, j int) float64 {
	var s float64
	for l := range k {
		ai, bj := i*lda+l, l*ldb+j
		if tA != blas.NoTrans {
			ai = l*lda + i
		}
		if tB != blas.NoTrans {
			bj = j*ldb + l
		}
		s += math.Abs(float64(a[ai]) * float64(b[bj]))
	}
	return math.Abs(float64(alpha))*s + math.Abs(float64(beta))*math.Abs(float64(c0[i*ldc+j]))
}

// recoverPanic runs f and returns the value it panicked with, or nil.
func recoverPanic(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
