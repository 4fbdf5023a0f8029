package solver

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// cholesky factors the row-major symmetric n×n matrix a into fac (upper
// Cholesky factor, same layout). If a is not numerically positive definite it
// retries with a + δI, δ growing from 1e-12 to 1e-4 times the largest
// diagonal entry; it returns the δ used and false if every try failed.
// Interior-point directions tolerate the small perturbation: the residuals,
// not the directions, decide convergence.
func cholesky(fac, a []float64, n int) (float64, bool) {
	scale := 0.0
	for i := 0; i < n; i++ {
		scale = max(scale, math.Abs(a[i*n+i]))
	}
	if scale == 0 {
		scale = 1
	}
	for _, rel := range []float64{0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4} {
		copy(fac, a[:n*n])
		delta := rel * scale
		for i := 0; i < n; i++ {
			fac[i*n+i] += delta
		}
		if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: max(n, 1), Data: fac}); ok {
			return delta, true
		}
	}
	return 0, false
}

// cholSolve overwrites x with A⁻¹x for the factor computed by cholesky.
func cholSolve(fac []float64, n int, x []float64) {
	if n == 0 {
		return
	}
	t := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: n, Stride: n, Data: fac}
	lapack64.Potrs(t, blas64.General{Rows: n, Cols: 1, Stride: 1, Data: x})
}

// checkPSD returns an ErrNotConvex error if the symmetric row-major n×n
// matrix a has an eigenvalue below −1e-9·max|eig| (relative, so that rounding
// in a PSD matrix is accepted). A Cholesky factorization of a + δI decides the
// common case cheaply; only its failure pays for an eigendecomposition.
func checkPSD(a []float64, n int, work []float64) error {
	scale := 0.0
	for _, v := range a[:n*n] {
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 {
		return nil
	}
	if math.IsInf(scale, 0) || math.IsNaN(scale) {
		return fmt.Errorf("Hessian has non-finite entries: %w", ErrNaN)
	}
	// Work on a/scale: the test is relative, and entries of order one keep
	// LAPACK off its own rescaling path (gonum v0.17's Dsterf panics there
	// for norms beyond ~1e153 or below ~1e-153).
	scaled := func() {
		for i, v := range a[:n*n] {
			work[i] = v / scale
		}
	}
	scaled()
	for i := 0; i < n; i++ {
		work[i*n+i] += 1e-12
	}
	if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: work}); ok {
		return nil
	}
	scaled()
	eig := make([]float64, n)
	lwork := make([]float64, 1)
	sym := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: work}
	lapack64.Syev(lapack.EVNone, sym, eig, lwork, -1)
	lwork = make([]float64, int(lwork[0]))
	if !lapack64.Syev(lapack.EVNone, sym, eig, lwork, len(lwork)) {
		return fmt.Errorf("eigenvalues of the Hessian did not converge: %w", ErrNotConvex)
	}
	top := max(math.Abs(eig[0]), math.Abs(eig[n-1]))
	if eig[0] < -1e-9*top {
		return fmt.Errorf("Hessian has eigenvalue %.3g (largest magnitude %.3g): %w", eig[0]*scale, top*scale, ErrNotConvex)
	}
	return nil
}
