package solver

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// saaSolver is implemented by the built-in problems, which know a faster or
// exact method for their sample-average problem.
type saaSolver interface {
	solveSAA(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error)
}

// Solve minimises the sample-average problem
//
//	z*(Y) = argmin_z (1/M) Σ_j f(y_j, z)  s.t.  Gz ≤ h, Az = b
//
// over the M samples in the rows of Y (M×n) and returns z* with its
// multipliers (Solution documents the sign convention). The built-in
// problems use their own exact or structured methods (see each type);
// other problems use the interior-point method of SolveConvex from z = 0.
//
// To pool several contexts into one decision (the reference's synthetic
// evaluation), stack their samples with Pool and solve once.
//
// Errors: ErrNaN for non-finite samples or parameters; the problem's own
// ErrInfeasible, ErrNotConvex, ErrUnbounded or ErrNoConvergence otherwise.
// Y with the wrong number of columns or no rows panics (ErrDimension).
func Solve(ctx context.Context, p Problem, Y *mat.Dense, opts *Options) (*Solution, error) {
	if m := checkSamples(p, Y); m == 0 {
		panicDim("Solve: Y has no rows")
	}
	if err := samplesFinite(Y); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if s, ok := p.(saaSolver); ok {
		return s.solveSAA(ctx, Y, opts)
	}
	n := p.Dim()
	c := p.Constraints()
	if err := c.check(n); err != nil {
		return nil, err
	}
	sol, err := solveGeneral(ctx, newSAAObjective(p, Y), n, c, make([]float64, n), generalConfig{}, opts)
	if err != nil {
		return sol, fmt.Errorf("solve %T: %w", p, err)
	}
	return sol, nil
}

// Pool stacks the sample matrices of several contexts (all M_b×n) into one
// (ΣM_b)×n matrix, item-major (rows of Ys[0] first), so that one Solve
// gives a single decision shared by all of them. Row offsets into the
// result are the running sums of the M_b: split a pooled Sensitivity.DY
// the same way.
func Pool(Ys []*mat.Dense) *mat.Dense {
	if len(Ys) == 0 {
		panicDim("Pool: no sample matrices")
	}
	_, n := Ys[0].Dims()
	rows := 0
	for b, y := range Ys {
		r, c := y.Dims()
		if c != n {
			panicDim("Pool: Ys[%d] has %d columns, Ys[0] has %d", b, c, n)
		}
		rows += r
	}
	out := mat.NewDense(rows, n, nil)
	off := 0
	for _, y := range Ys {
		r, _ := y.Dims()
		out.Slice(off, off+r, 0, n).(*mat.Dense).Copy(y)
		off += r
	}
	return out
}
