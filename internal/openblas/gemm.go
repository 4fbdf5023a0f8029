package openblas

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Where gonum beats OpenBLAS 0.3.21 on this machine (BenchmarkCrossover):
//   - m·n·k < minWork: one call through purego costs about 0.2 µs plus
//     OpenBLAS's own dispatch; 8×8×8 is faster in gonum, 12×12×12 in OpenBLAS.
//   - m < minRows: OpenBLAS has no kernel for a C of few rows (few columns
//     in its column-major view); 2×1024×1024 to 4×1024×1024 run 1.3–2×
//     faster in gonum, 8×1024×1024 1.4× faster in OpenBLAS.
//   - m == 1 or n == 1: the product is a matrix-vector product, and gonum's
//     Sgemv is about 4× faster than OpenBLAS's sgemm_ and 20–50× faster
//     than gonum's Sgemm on 1024×1024×1.
const (
	minWork = 1000
	minRows = 5
)

// Implementation is gonum's pure-Go BLAS with the general matrix products
// Sgemm and Dgemm computed by OpenBLAS. It satisfies blas.Float32 and
// blas.Float64, so blas32.Use and blas64.Use accept it. The zero value has
// no library and is exactly gonum's implementation.
type Implementation struct {
	gonum.Implementation
	lib   *Library
	force bool // send every product to OpenBLAS (tests of the FFI path)
}

var (
	_ blas.Float32 = Implementation{}
	_ blas.Float64 = Implementation{}
)

// Library returns the OpenBLAS library in use, or nil for the zero value.
func (impl Implementation) Library() *Library { return impl.lib }

// route is where a checked, non-empty product runs.
type route int

const (
	routeGemm     route = iota // gonum's own Sgemm or Dgemm
	routeGemv                  // gonum's Sgemv or Dgemv: C is one row or one column
	routeOpenBLAS              // OpenBLAS's sgemm_ or dgemm_
)

// route chooses the faster kernel for an m×n×k product (see minWork). A
// product with alpha == 0 or k == 0 only scales C, which gonum does; every
// dimension must fit OpenBLAS's 32-bit integers.
func (impl Implementation) route(m, n, k, lda, ldb, ldc int, alphaZero bool) route {
	switch {
	case impl.lib == nil, alphaZero, k == 0, max(m, n, k, lda, ldb, ldc) > math.MaxInt32:
		return routeGemm
	case impl.force:
		return routeOpenBLAS
	case m == 1 || n == 1:
		return routeGemv
	case m < minRows, float64(m)*float64(n)*float64(k) < minWork:
		return routeGemm
	}
	return routeOpenBLAS
}

// Sgemm computes C = alpha op(A) op(B) + beta C for row-major float32
// matrices, where op(X) is X or Xᵀ and op(A) is m×k, op(B) k×n, C m×n. It
// panics on bad arguments exactly as gonum's Sgemm does. Large products run
// in OpenBLAS; small, thin and degenerate ones in gonum (see route).
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	kernels := kernels[float32]{gemm: impl.Implementation.Sgemm, gemv: impl.Implementation.Sgemv}
	if impl.lib != nil {
		kernels.sym = impl.lib.sgemm
	}
	dispatch(impl, kernels, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm computes C = alpha op(A) op(B) + beta C for row-major float64
// matrices, as Sgemm does for float32.
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	kernels := kernels[float64]{gemm: impl.Implementation.Dgemm, gemv: impl.Implementation.Dgemv}
	if impl.lib != nil {
		kernels.sym = impl.lib.dgemm
	}
	dispatch(impl, kernels, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// kernels are the three ways to compute a product of one precision.
type kernels[T float32 | float64] struct {
	gemm gemmFunc[T] // gonum's Sgemm or Dgemm
	gemv gemvFunc[T] // gonum's Sgemv or Dgemv
	sym  uintptr     // OpenBLAS's sgemm_ or dgemm_, 0 without a library
}

// gemmFunc is gonum's Sgemm or Dgemm.
type gemmFunc[T float32 | float64] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// dispatch checks the arguments and runs the product in the kernel that
// impl.route picks.
func dispatch[T float32 | float64](impl Implementation, kr kernels[T], tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	switch impl.route(m, n, k, lda, ldb, ldc, alpha == 0) {
	case routeGemm:
		kr.gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case routeGemv:
		gemmAsGemv(kr.gemv, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case routeOpenBLAS:
		s := &gemmScalars[T]{alpha: alpha, beta: beta}
		s.set(tA, tB, m, n, k, lda, ldb, ldc)
		gemm(kr.sym, s, a, b, c)
	}
}

// gemvFunc is gonum's Sgemv or Dgemv: y = alpha op(A) x + beta y, A m×n.
type gemvFunc[T float32 | float64] func(tA blas.Transpose, m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int)

// gemmAsGemv computes a checked product whose C is a single column (n == 1)
// or a single row (m == 1) as a matrix-vector product:
//
//	n == 1: C[:,0] = alpha op(A) op(B)[:,0] + beta C[:,0]
//	m == 1: C[0,:] = alpha op(B)ᵀ op(A)[0,:] + beta C[0,:]
//
// where a column of a row-major matrix is a vector with stride ld. The
// vectors are sliced to their exact extent: gonum v0.17's Sgemv with
// beta == 0 and a unit stride zeroes the whole y slice it is given, not
// only its first elements.
func gemmAsGemv[T float32 | float64](mv gemvFunc[T], tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if n == 1 {
		ar, ac := m, k // A as stored
		if tA != blas.NoTrans {
			ar, ac = k, m
		}
		incX := ldb // op(B)[:,0] is column 0 of B, or row 0 of the stored 1×k B
		if tB != blas.NoTrans {
			incX = 1
		}
		mv(tA, ar, ac, alpha, a, lda, b[:(k-1)*incX+1], incX, beta, c[:(m-1)*ldc+1], ldc)
		return
	}
	incX := 1 // op(A)[0,:] is row 0 of A, or column 0 of the stored k×1 A
	if tA != blas.NoTrans {
		incX = lda
	}
	x, y := a[:(k-1)*incX+1], c[:n]
	if tB == blas.NoTrans { // B is k×n, op(B)ᵀ = Bᵀ
		mv(blas.Trans, k, n, alpha, b, ldb, x, incX, beta, y, 1)
		return
	}
	mv(blas.NoTrans, n, k, alpha, b, ldb, x, incX, beta, y, 1) // B is n×k
}

// gemmScalars holds the scalar arguments of a Fortran ?gemm_ call, which
// takes every argument by reference. One heap block per call keeps them
// alive and unmoved for the duration of the call.
type gemmScalars[T float32 | float64] struct {
	tA, tB        byte
	m, n, k       int32
	lda, ldb, ldc int32
	alpha, beta   T
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
