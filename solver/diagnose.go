package solver

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// equalities are the linearly independent rows of A that the interior
// point works with; dependent rows are checked for consistency and get
// multiplier zero.
type equalities struct {
	rows  sparseRows
	b     []float64
	kept  []int
	total int
}

// reduceEqualities drops rows of A that depend on earlier rows, returning
// ErrInfeasible if a dropped row contradicts the kept ones.
func reduceEqualities(c Constraints, n int) (equalities, error) {
	e := equalities{total: c.Eq()}
	rb := &rowBasis{n: n}
	var keptRows [][]float64
	var dropped []int
	for i := 0; i < c.Eq(); i++ {
		row := mat.Row(nil, i, c.A)
		if rb.add(row, 1e-9) {
			e.kept = append(e.kept, i)
			e.b = append(e.b, c.B[i])
			keptRows = append(keptRows, row)
		} else {
			dropped = append(dropped, i)
		}
	}
	zp := make([]float64, n)
	rb.correction(zp, e.b)
	for _, i := range dropped {
		row := mat.Row(nil, i, c.A)
		v := dot(row, zp)
		if math.Abs(v-c.B[i]) > 1e-9*(1+math.Abs(c.B[i])+math.Abs(v)) {
			return e, fmt.Errorf("equality row %d is a combination of earlier rows but b[%d] = %g, not %g: %w",
				i, i, c.B[i], v, ErrInfeasible)
		}
	}
	if len(keptRows) > 0 {
		e.rows = newSparseRows(mat.NewDense(len(keptRows), n, flatten(keptRows)), n)
	} else {
		e.rows = newSparseRows(nil, n)
	}
	return e, nil
}

// expand maps multipliers of the kept rows back to all rows of A.
func (e equalities) expand(nu []float64) []float64 {
	out := make([]float64, e.total)
	for j, i := range e.kept {
		out[i] = nu[j]
	}
	return out
}

func flatten(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// diagnose classifies a failed interior-point run from its last iterate z:
// ErrInfeasible if the phase-one program min t s.t. Gz − t ≤ h, Az = b,
// |z| ≤ R, t ≥ −1 has t* > 0. ErrUnbounded, for a QP, if
// min qᵀd s.t. Pd = 0, Gd ≤ 0, Ad = 0, |d| ≤ 1 is negative (exact); for a
// general convex f, if the iterates diverged, or if along the feasible
// recession direction d minimising ∇f(z)ᵀd the objective still decreases
// between z + 10⁶d and z + 10⁹d. It returns nil if neither applies (the
// caller then reports ErrNoConvergence) and does not classify if its own
// programs fail.
func diagnose(ctx context.Context, w *ipm, eq equalities, cfg generalConfig, diverged bool) error {
	hScale := 1 + normInf(w.h)
	t, ok := phaseOne(ctx, w.n, w.G, eq, w.h)
	if ok && t > 1e-7*hScale {
		return fmt.Errorf("constraints violated by at least %.3g at every point (phase one): %w", t, ErrInfeasible)
	}
	if q, ok := w.f.(*quadObjective); ok && cfg.quadratic {
		if d, ok := recession(ctx, q.q, rangeRows(q.p, q.n), w.G, eq); ok && dot(q.q, d) < -1e-9*(1+normInf(q.q)) {
			return fmt.Errorf("objective decreases without bound along a recession direction (slope %.3g): %w", dot(q.q, d), ErrUnbounded)
		}
		return nil
	}
	if diverged {
		return fmt.Errorf("iterates diverged with the objective decreasing: %w", ErrUnbounded)
	}
	g := make([]float64, w.n)
	w.f.grad(g, w.z)
	d, ok := recession(ctx, g, nil, w.G, eq)
	if !ok || dot(g, d) >= -1e-9*(1+normInf(g)) {
		return nil
	}
	probe := func(t float64) float64 {
		x := make([]float64, w.n)
		for i := range x {
			x[i] = w.z[i] + t*d[i]
		}
		return w.f.value(x)
	}
	if f6, f9 := probe(1e6), probe(1e9); f9 < f6 {
		return fmt.Errorf("objective still decreasing 10⁹ along a feasible recession direction (%.3g → %.3g): %w", f6, f9, ErrUnbounded)
	}
	return nil
}

// lpSolve minimises cᵀx over the given rows with the interior-point engine.
func lpSolve(ctx context.Context, c []float64, G sparseRows, h []float64, A sparseRows, b []float64) ([]float64, bool) {
	n := len(c)
	w := newIPM(&quadObjective{n: n, q: c}, n, G, A, h, b, 1e-10, 200)
	w.quadratic, w.trusted = true, true
	if err := w.run(ctx, make([]float64, n)); err != nil {
		return nil, false
	}
	return w.z, true
}

// phaseOne returns the smallest uniform violation t of the inequalities.
func phaseOne(ctx context.Context, n int, G sparseRows, eq equalities, h []float64) (float64, bool) {
	if G.rows() == 0 {
		return 0, true
	}
	radius := 1e6 * (1 + normInf(h) + normInf(eq.b))
	var rows [][]float64
	var rhs []float64
	for i := 0; i < G.rows(); i++ {
		row := append(denseRow(G, i), -1)
		rows, rhs = append(rows, row), append(rhs, h[i])
	}
	rows, rhs = appendBox(rows, rhs, n+1, n, radius)
	bound := make([]float64, n+1)
	bound[n] = -1
	rows, rhs = append(rows, bound), append(rhs, 1)
	A := widen(eq.rows, n, n+1)
	c := make([]float64, n+1)
	c[n] = 1
	x, ok := lpSolve(ctx, c, newSparseRows(mat.NewDense(len(rows), n+1, flatten(rows)), n+1), rhs, A, eq.b)
	if !ok {
		return 0, false
	}
	return x[n], true
}

// appendBox adds −R ≤ x_i ≤ R for the first k of width variables.
func appendBox(rows [][]float64, rhs []float64, width, k int, radius float64) ([][]float64, []float64) {
	for i := 0; i < k; i++ {
		for _, s := range []float64{1, -1} {
			row := make([]float64, width)
			row[i] = s
			rows, rhs = append(rows, row), append(rhs, radius)
		}
	}
	return rows, rhs
}

// widen copies sparse rows over n columns into rows over width ≥ n columns.
func widen(s sparseRows, n, width int) sparseRows {
	out := s
	out.n = width
	return out
}

// recession returns the d minimising cᵀd over Gd ≤ 0, Ad = 0, Rd = 0 (R:
// extra rows, for a QP the range of P), |d|∞ ≤ 1.
func recession(ctx context.Context, c []float64, extra [][]float64, G sparseRows, eq equalities) ([]float64, bool) {
	n := len(c)
	var rows [][]float64
	for i := 0; i < eq.rows.rows(); i++ {
		rows = append(rows, denseRow(eq.rows, i))
	}
	rows = append(rows, extra...)
	rb := &rowBasis{n: n}
	var indep [][]float64
	for _, r := range rows {
		if rb.add(r, 1e-9) {
			indep = append(indep, r)
		}
	}
	A := newSparseRows(nil, n)
	if len(indep) > 0 {
		A = newSparseRows(mat.NewDense(len(indep), n, flatten(indep)), n)
	}
	var grows [][]float64
	var rhs []float64
	for i := 0; i < G.rows(); i++ {
		grows, rhs = append(grows, denseRow(G, i)), append(rhs, 0)
	}
	grows, rhs = appendBox(grows, rhs, n, n, 1)
	return lpSolve(ctx, c, newSparseRows(mat.NewDense(len(grows), n, flatten(grows)), n), rhs, A, make([]float64, len(indep)))
}

// denseRow returns row i of s as a dense slice.
func denseRow(s sparseRows, i int) []float64 {
	row := make([]float64, s.n)
	cols, vals := s.row(i)
	for k, c := range cols {
		row[c] = vals[k]
	}
	return row
}

// rangeRows returns eigenvectors of the symmetric row-major p (nil: none)
// with eigenvalues above 1e-9 of the largest: Pd = 0 ⇔ these rows · d = 0.
func rangeRows(p []float64, n int) [][]float64 {
	if p == nil {
		return nil
	}
	a := append([]float64(nil), p...)
	eig := make([]float64, n)
	sym := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: a}
	work := make([]float64, 1)
	lapack64.Syev(lapack.EVCompute, sym, eig, work, -1)
	work = make([]float64, int(work[0]))
	if !lapack64.Syev(lapack.EVCompute, sym, eig, work, len(work)) {
		return nil
	}
	top := max(math.Abs(eig[0]), math.Abs(eig[n-1]))
	var out [][]float64
	for k := 0; k < n; k++ {
		if math.Abs(eig[k]) > 1e-9*top {
			v := make([]float64, n)
			for i := 0; i < n; i++ {
				v[i] = a[i*n+k]
			}
			out = append(out, v)
		}
	}
	return out
}
