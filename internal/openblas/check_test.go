package openblas

import (
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// badGemm is a call with invalid arguments; want is gonum's panic message,
// empty for calls that must not panic.
type badGemm struct {
	name      string
	tA, tB    blas.Transpose
	m, n, k   int
	lenA, lda int
	lenB, ldb int
	lenC, ldc int
	want      string
}

var badGemms = []badGemm{
	{"bad tA", 'X', blas.NoTrans, 2, 2, 2, 4, 2, 4, 2, 4, 2, badTranspose},
	{"bad tB", blas.NoTrans, 0, 2, 2, 2, 4, 2, 4, 2, 4, 2, badTranspose},
	{"m<0", blas.NoTrans, blas.NoTrans, -1, 2, 2, 4, 2, 4, 2, 4, 2, mLT0},
	{"n<0", blas.NoTrans, blas.NoTrans, 2, -1, 2, 4, 2, 4, 2, 4, 2, nLT0},
	{"k<0", blas.NoTrans, blas.NoTrans, 2, 2, -1, 4, 2, 4, 2, 4, 2, kLT0},
	{"lda<k", blas.NoTrans, blas.NoTrans, 2, 2, 3, 6, 2, 6, 2, 4, 2, badLdA},
	{"lda<m trans", blas.Trans, blas.NoTrans, 3, 2, 2, 6, 2, 4, 2, 6, 2, badLdA},
	{"ldb<n", blas.NoTrans, blas.NoTrans, 2, 3, 2, 4, 2, 6, 2, 6, 3, badLdB},
	{"ldb<k trans", blas.NoTrans, blas.Trans, 2, 2, 3, 6, 3, 6, 2, 4, 2, badLdB},
	{"ldc<n", blas.NoTrans, blas.NoTrans, 2, 3, 2, 4, 2, 6, 3, 6, 2, badLdC},
	{"ldc<1 with m=0", blas.NoTrans, blas.NoTrans, 0, 0, 2, 0, 2, 0, 1, 0, 0, badLdC},
	{"short a", blas.NoTrans, blas.NoTrans, 2, 2, 2, 3, 2, 4, 2, 4, 2, shortA},
	{"short a trans", blas.Trans, blas.NoTrans, 3, 2, 2, 5, 3, 4, 2, 6, 2, shortA},
	{"short a k=0", blas.NoTrans, blas.NoTrans, 3, 2, 0, 1, 1, 0, 2, 6, 2, shortA},
	{"short b", blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 2, 3, 2, 4, 2, shortB},
	{"short b trans", blas.NoTrans, blas.Trans, 2, 3, 2, 4, 2, 5, 2, 6, 3, shortB},
	{"short c", blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 2, 4, 2, 3, 2, shortC},
	{"short c strided", blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 2, 4, 2, 4, 3, shortC},
	{"m=0 skips length checks", blas.NoTrans, blas.NoTrans, 0, 2, 2, 0, 2, 0, 2, 0, 2, ""},
	{"n=0 skips length checks", blas.Trans, blas.Trans, 2, 0, 2, 0, 2, 0, 2, 0, 1, ""},
}

// TestPanicsMatchGonum checks that invalid arguments panic with gonum's
// messages, in gonum's order, for both precisions, with and without a
// loaded library; and that gonum itself still panics the same way (the
// messages are copied from it).
func TestPanicsMatchGonum(t *testing.T) {
	impls := map[string]Implementation{"zero": {}}
	if lib, err := Load(); err == nil {
		impls["openblas"] = Implementation{lib: lib}
	}
	for _, c := range badGemms {
		for name, impl := range impls {
			for _, prec := range []string{"s", "d"} {
				var calls [2]func()
				for i, f := range []blas.Float32{gonum.Implementation{}, impl} {
					fd := f.(blas.Float64)
					calls[i] = func() {
						if prec == "s" {
							f.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, make([]float32, c.lenA), c.lda, make([]float32, c.lenB), c.ldb, 0, make([]float32, c.lenC), c.ldc)
							return
						}
						fd.Dgemm(c.tA, c.tB, c.m, c.n, c.k, 1, make([]float64, c.lenA), c.lda, make([]float64, c.lenB), c.ldb, 0, make([]float64, c.lenC), c.ldc)
					}
				}
				want, got := recoverPanic(calls[0]), recoverPanic(calls[1])
				if want != got {
					t.Errorf("%s %s %sgemm: panic %v, gonum panics %v", c.name, name, prec, got, want)
				}
				if (c.want == "" && want != nil) || (c.want != "" && want != c.want) {
					t.Errorf("%s: gonum panics %v, the table expects %q", c.name, want, c.want)
				}
			}
		}
	}
}
