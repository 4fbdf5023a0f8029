package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// checkCase is one product of the self-check: op(A) is m×k, op(B) k×n.
type checkCase struct {
	m, n, k int
	tA, tB  blas.Transpose
}

// checkCases cover the kernels' paths on the paper's shapes (the denoiser's
// forward product and the two gradient products at width 256 over 160
// rows), several K blocks (k = 700), edge tiles of odd sizes, and the
// single row or column products that OpenBLAS routes to its own kernels.
var checkCases = []checkCase{
	{160, 256, 173, blas.NoTrans, blas.NoTrans},
	{256, 173, 160, blas.Trans, blas.NoTrans},
	{160, 173, 256, blas.NoTrans, blas.Trans},
	{40, 50, 700, blas.NoTrans, blas.NoTrans},
	{17, 33, 29, blas.Trans, blas.Trans},
	{5, 7, 3, blas.NoTrans, blas.Trans},
	{1, 37, 19, blas.NoTrans, blas.NoTrans},
	{41, 1, 23, blas.Trans, blas.NoTrans},
}

// checkData is one case's operands, exact in float32, and its float64
// reference alpha op(A) op(B) + beta C with the same expression over
// absolute values, the scale of the rounding bound.
type checkData struct {
	checkCase
	lda, ldb, ldc int
	a, b, c0      []float64
	ref, abs      []float64 // m×n, packed
}

const checkAlpha, checkBeta = 0.75, -0.5

// selfCheck computes every check case in float32 and float64, with one and
// two OpenBLAS threads and twice each, and fails when an element is
// further from the float64 reference than the worst-case rounding bound
// of any summation order, 2(k+2)u·(|α||A||B| + |β||C|), or when a repeat
// differs in any bit. Wrong kernels miss the bound by orders of
// magnitude; the bound does not depend on how a kernel blocks its sums.
func (l *Library) selfCheck() error {
	old := l.Threads()
	defer l.SetThreads(old)
	impl := Implementation{lib: l, force: true}
	rng := rand.New(rand.NewPCG(18, 512))
	for _, c := range checkCases {
		d := newCheckData(rng, c)
		for _, threads := range []int{1, 2} {
			l.SetThreads(threads)
			if err := checkOne(impl.Sgemm, d, 0x1p-24); err != nil {
				return fmt.Errorf("sgemm %d threads: %w", threads, err)
			}
			if err := checkOne(impl.Dgemm, d, 0x1p-53); err != nil {
				return fmt.Errorf("dgemm %d threads: %w", threads, err)
			}
		}
	}
	return nil
}

// newCheckData draws the operands of case c, padding every leading
// dimension by three so that strides are exercised, and computes the
// reference with gonum's pure-Go Dgemm, never the library under test.
func newCheckData(rng *rand.Rand, c checkCase) *checkData {
	aRows, aCols := dims(c.m, c.k, c.tA)
	bRows, bCols := dims(c.k, c.n, c.tB)
	d := &checkData{checkCase: c, lda: aCols + 3, ldb: bCols + 3, ldc: c.n + 3}
	d.a, d.b, d.c0 = randVals(rng, aRows*d.lda), randVals(rng, bRows*d.ldb), randVals(rng, c.m*d.ldc)
	d.ref, d.abs = make([]float64, c.m*c.n), make([]float64, c.m*c.n)
	for i := range c.m {
		for j := range c.n {
			v := checkBeta * d.c0[i*d.ldc+j]
			d.ref[i*c.n+j], d.abs[i*c.n+j] = v, math.Abs(v)
		}
	}
	g := gonum.Implementation{}
	g.Dgemm(c.tA, c.tB, c.m, c.n, c.k, checkAlpha, d.a, d.lda, d.b, d.ldb, 1, d.ref, c.n)
	g.Dgemm(c.tA, c.tB, c.m, c.n, c.k, math.Abs(checkAlpha), absVals(d.a), d.lda, absVals(d.b), d.ldb, 1, d.abs, c.n)
	return d
}

// checkOne runs the case of d through gemm twice and compares with the
// reference; u is the unit roundoff of T.
func checkOne[T float32 | float64](gemm gemmFunc[T], d *checkData, u float64) error {
	a, b, c0 := narrow[T](d.a), narrow[T](d.b), narrow[T](d.c0)
	var first []T
	for rep := range 2 {
		got := append([]T(nil), c0...)
		gemm(d.tA, d.tB, d.m, d.n, d.k, checkAlpha, a, d.lda, b, d.ldb, checkBeta, got, d.ldc)
		for i := range d.m {
			for j := range d.n {
				e, r := i*d.ldc+j, i*d.n+j
				tol := 2*float64(d.k+2)*u*d.abs[r] + 1e-300
				if diff := math.Abs(float64(got[e]) - d.ref[r]); !(diff <= tol) {
					return fmt.Errorf("%d×%d×%d %c%c: C[%d,%d] = %g, reference %g (error %.3g > bound %.3g)",
						d.m, d.n, d.k, transChar(d.tA), transChar(d.tB), i, j, got[e], d.ref[r], diff, tol)
				}
			}
		}
		if rep == 1 {
			for e := range got {
				if math.Float64bits(float64(got[e])) != math.Float64bits(float64(first[e])) {
					return fmt.Errorf("%d×%d×%d: a repeated product differs at element %d", d.m, d.n, d.k, e)
				}
			}
		}
		first = got
	}
	return nil
}

// dims returns the stored rows and columns of an r×c operand op(X).
func dims(r, c int, t blas.Transpose) (int, int) {
	if t == blas.NoTrans {
		return r, c
	}
	return c, r
}

// randVals returns n values uniform in [-1, 1), rounded to float32 so that
// both precisions multiply exactly the same operands.
func randVals(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(float32(2*rng.Float64() - 1))
	}
	return s
}

// absVals returns the absolute values of x.
func absVals(x []float64) []float64 {
	abs := make([]float64, len(x))
	for i, e := range x {
		abs[i] = math.Abs(e)
	}
	return abs
}

// narrow converts x to T (exactly: the values are float32 numbers).
func narrow[T float32 | float64](x []float64) []T {
	v := make([]T, len(x))
	for i, e := range x {
		v[i] = T(e)
	}
	return v
}
