package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmCase is one product: shapes, transposes, padding of the leading
// dimensions (submatrix views) and scalars.
type gemmCase struct {
	m, n, k     int
	tA, tB      blas.Transpose
	pad         int // added to every leading dimension
	alpha, beta float64
}

func (c gemmCase) String() string {
	return fmt.Sprintf("%dx%dx%d/%c%c/pad%d/a%g/b%g", c.m, c.k, c.n, c.tA, c.tB, c.pad, c.alpha, c.beta)
}

// gemmCases covers 1×1, tall and skinny, wide, square and odd shapes, every
// transpose combination (ConjTrans included), contiguous and strided
// storage, and alpha, beta away from 0 and 1.
func gemmCases() []gemmCase {
	shapes := [][3]int{{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {1, 40, 50}, {60, 1, 70}, {300, 2, 17}, {2, 300, 17}, {3, 5, 400}, {64, 64, 64}, {129, 67, 250}, {257, 190, 33}}
	trans := [][2]blas.Transpose{{blas.NoTrans, blas.NoTrans}, {blas.Trans, blas.NoTrans}, {blas.NoTrans, blas.Trans}, {blas.Trans, blas.Trans}, {blas.ConjTrans, blas.Trans}}
	scalars := [][2]float64{{1, 0}, {0.75, -1.25}, {-2, 1}, {0, 0.5}}
	var cases []gemmCase
	for si, s := range shapes {
		for ti, t := range trans {
			sc := scalars[(si+ti)%len(scalars)]
			cases = append(cases, gemmCase{m: s[0], n: s[1], k: s[2], tA: t[0], tB: t[1], pad: (si + ti) % 3 * 2, alpha: sc[0], beta: sc[1]})
		}
	}
	return cases
}

// checkAgainstGonum runs one case with impl and with gonum's native routine
// on identical inputs and compares every element of C within the rounding
// bound of the two summation orders, and every padding element exactly.
func checkAgainstGonum[T float](t *testing.T, c gemmCase, eps float64, run func(native bool, a []T, lda int, b []T, ldb int, c []T, ldc int)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(c.m*1000003+c.n*1009+c.k), 7))
	ar, ac := stored(c.tA, c.m, c.k)
	br, bc := stored(c.tB, c.k, c.n)
	lda, ldb, ldc := ac+c.pad, bc+c.pad, c.n+c.pad
	a := randSlice[T](rng, (ar-1)*lda+ac)
	b := randSlice[T](rng, (br-1)*ldb+bc)
	c0 := randSlice[T](rng, (c.m-1)*ldc+c.n+c.pad) // the tail is padding too
	got, want := append([]T(nil), c0...), append([]T(nil), c0...)
	run(false, a, lda, b, ldb, got, ldc)
	run(true, a, lda, b, ldb, want, ldc)
	gamma := 2 * float64(c.k+2) * eps
	for idx := range c0 {
		i, j := idx/ldc, idx%ldc
		if i >= c.m || j >= c.n {
			if got[idx] != c0[idx] {
				t.Fatalf("%v: padding C[%d] changed from %v to %v", c, idx, c0[idx], got[idx])
			}
			continue
		}
		bound := gamma * gemmBound(c.tA, c.tB, c.m, c.n, c.k, T(c.alpha), a, lda, b, ldb, T(c.beta), c0, ldc, i, j)
		if d := math.Abs(float64(got[idx]) - float64(want[idx])); !(d <= bound) {
			t.Fatalf("%v: C[%d,%d] = %v, gonum %v, |diff| %g > bound %g", c, i, j, got[idx], want[idx], d, bound)
		}
	}
}

// implsUnderTest are the routed implementation and one forcing every
// product, 1×1 included, through OpenBLAS's sgemm_/dgemm_.
func implsUnderTest(lib *Library) map[string]Implementation {
	return map[string]Implementation{"routed": lib.Implementation(), "forced": {lib: lib, force: true}}
}

func TestSgemmMatchesGonum(t *testing.T) {
	lib := loadOrSkip(t)
	for name, impl := range implsUnderTest(lib) {
		for _, c := range gemmCases() {
			t.Run(name+"/"+c.String(), func(t *testing.T) {
				checkAgainstGonum(t, c, 0x1p-24, func(native bool, a []float32, lda int, b []float32, ldb int, cc []float32, ldc int) {
					f := impl.Sgemm
					if native {
						f = gonum.Implementation{}.Sgemm
					}
					f(c.tA, c.tB, c.m, c.n, c.k, float32(c.alpha), a, lda, b, ldb, float32(c.beta), cc, ldc)
				})
			})
		}
	}
}

func TestDgemmMatchesGonum(t *testing.T) {
	lib := loadOrSkip(t)
	for name, impl := range implsUnderTest(lib) {
		for _, c := range gemmCases() {
			t.Run(name+"/"+c.String(), func(t *testing.T) {
				checkAgainstGonum(t, c, 0x1p-53, func(native bool, a []float64, lda int, b []float64, ldb int, cc []float64, ldc int) {
					f := impl.Dgemm
					if native {
						f = gonum.Implementation{}.Dgemm
					}
					f(c.tA, c.tB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, cc, ldc)
				})
			})
		}
	}
}

// TestGemmBetaZeroOverwritesNaN checks the BLAS rule that beta == 0 sets C
// to alpha op(A) op(B) whatever C held, NaN included, as gonum does.
func TestGemmBetaZeroOverwritesNaN(t *testing.T) {
	lib := loadOrSkip(t)
	const m, n, k = 40, 30, 20
	rng := rand.New(rand.NewPCG(1, 2))
	a, b := randSlice[float32](rng, m*k), randSlice[float32](rng, k*n)
	c := make([]float32, m*n)
	for i := range c {
		c[i] = float32(math.NaN())
	}
	lib.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	for i, v := range c {
		if v != v {
			t.Fatalf("C[%d] is NaN after beta = 0", i)
		}
	}
}

// TestZeroValueIsGonum checks that an Implementation without a library is
// bit-for-bit gonum's native one.
func TestZeroValueIsGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k = 70, 50, 90
	a, b := randSlice[float32](rng, m*k), randSlice[float32](rng, k*n)
	got, want := make([]float32, m*n), make([]float32, m*n)
	Implementation{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1.5, a, k, b, k, 0, got, n)
	gonum.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1.5, a, k, b, k, 0, want, n)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("C[%d] = %v, gonum %v", i, got[i], want[i])
		}
	}
}
