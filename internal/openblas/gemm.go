package openblas

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// minWork is the smallest m·n·k handed to OpenBLAS. Below it gonum's own
// kernel is faster, because one call through purego costs about 0.2 µs
// plus OpenBLAS's own dispatch; BenchmarkCrossover measures where the two
// meet.
const minWork = 4096

// Implementation is gonum's pure-Go BLAS with the general matrix products
// Sgemm and Dgemm computed by OpenBLAS. It satisfies blas.Float32 and
// blas.Float64, so blas32.Use and blas64.Use accept it. The zero value has
// no library and computes everything with gonum.
type Implementation struct {
	gonum.Implementation
	lib    *Library
	cutoff float64 // products with m·n·k below it run in gonum; minWork outside tests
}

var (
	_ blas.Float32 = Implementation{}
	_ blas.Float64 = Implementation{}
)

// Library returns the OpenBLAS library in use, or nil for the zero value.
func (impl Implementation) Library() *Library { return impl.lib }

// Sgemm computes C = alpha op(A) op(B) + beta C for row-major float32
// matrices, where op(X) is X or Xᵀ and op(A) is m×k, op(B) k×n, C m×n. It
// panics on bad arguments exactly as gonum's Sgemm does. Products smaller
// than minWork, and those that only scale C (alpha == 0 or k == 0), run in
// gonum's kernel.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	if !impl.delegate(m, n, k, lda, ldb, ldc, alpha == 0) {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	s := &gemmScalars[float32]{alpha: alpha, beta: beta}
	s.set(tA, tB, m, n, k, lda, ldb, ldc)
	gemm(impl.lib.sgemm, s, a, b, c)
}

// Dgemm computes C = alpha op(A) op(B) + beta C for row-major float64
// matrices, as Sgemm does for float32.
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	if !impl.delegate(m, n, k, lda, ldb, ldc, alpha == 0) {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	s := &gemmScalars[float64]{alpha: alpha, beta: beta}
	s.set(tA, tB, m, n, k, lda, ldb, ldc)
	gemm(impl.lib.dgemm, s, a, b, c)
}

// delegate reports whether a checked, non-empty product goes to OpenBLAS:
// a library is loaded, there is a product to compute, it is large enough to
// repay the call, and every dimension fits OpenBLAS's 32-bit integers.
func (impl Implementation) delegate(m, n, k, lda, ldb, ldc int, alphaZero bool) bool {
	if impl.lib == nil || alphaZero || k == 0 {
		return false
	}
	if float64(m)*float64(n)*float64(k) < impl.cutoff {
		return false
	}
	return max(m, n, k, lda, ldb, ldc) <= math.MaxInt32
}

// set fills the integer arguments; transposes become Fortran's 'N' or 'T'
// (ConjTrans of a real matrix is Trans).
func (s *gemmScalars[T]) set(tA, tB blas.Transpose, m, n, k, lda, ldb, ldc int) {
	s.tA, s.tB = transChar(tA), transChar(tB)
	s.m, s.n, s.k = int32(m), int32(n), int32(k)
	s.lda, s.ldb, s.ldc = int32(lda), int32(ldb), int32(ldc)
}

func transChar(t blas.Transpose) byte {
	if t == blas.NoTrans {
		return 'N'
	}
	return 'T'
}
