//go:build linux && !noopenblas

package openblas

import (
	"math/rand/v2"
	"testing"

	"github.com/ebitengine/purego"
	"gonum.org/v1/gonum/blas"
)

// CBLAS enumerations (cblas.h).
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

// TestFortranPathEqualsCBLAS checks that calling sgemm_ with swapped
// operands gives bit-for-bit what cblas_sgemm(CblasRowMajor, ...) gives.
// This package calls the Fortran symbol because its arguments are all
// pointers, which purego.SyscallN passes in about 0.2 µs; cblas_sgemm takes
// its scalars in float registers, reachable only through purego's
// reflection-based RegisterFunc at about 1 µs and 12 allocations a call.
func TestFortranPathEqualsCBLAS(t *testing.T) {
	lib := loadOrSkip(t)
	h, err := purego.Dlopen(lib.Name(), purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		t.Fatal(err)
	}
	var cblasSgemm func(order, tA, tB, m, n, k int32, alpha float32, a []float32, lda int32, b []float32, ldb int32, beta float32, c []float32, ldc int32)
	purego.RegisterLibFunc(&cblasSgemm, h, "cblas_sgemm")
	cblasTranspose := map[blas.Transpose]int32{blas.NoTrans: cblasNoTrans, blas.Trans: cblasTrans}
	impl := Implementation{lib: lib, force: true}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []paperShape{{37, 91, 53}, {1024, 189, 256}} {
		for _, d := range gemmDirs {
			m, n, k, a, lda, b, ldb := operands(rng, d, s)
			c0 := randSlice[float32](rng, m*n)
			got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
			impl.Sgemm(d.tA, d.tB, m, n, k, 0.5, a, lda, b, ldb, -1.5, got, n)
			cblasSgemm(cblasRowMajor, cblasTranspose[d.tA], cblasTranspose[d.tB], int32(m), int32(n), int32(k), 0.5, a, int32(lda), b, int32(ldb), -1.5, want, int32(n))
			if i := firstDiff(got, want); i >= 0 {
				t.Errorf("%s %v: C[%d] = %v via sgemm_, %v via cblas_sgemm", d.name, s, i, got[i], want[i])
			}
		}
	}
}
