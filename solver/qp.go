package solver

import (
	"context"
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// QP is the convex quadratic program
//
//	minimise ½zᵀPz + qᵀz  subject to  Gz ≤ h, Az = b.
//
// P must be positive semidefinite; nil means zero (a linear program).
type QP struct {
	P *mat.SymDense
	Q []float64
	Constraints
}

// quadObjective is ½zᵀPz + qᵀz with P row-major (nil: zero).
type quadObjective struct {
	n int
	p []float64
	q []float64
}

func (o *quadObjective) value(z []float64) float64 {
	v := dot(o.q, z)
	if o.p != nil {
		for i := 0; i < o.n; i++ {
			v += 0.5 * z[i] * dot(o.p[i*o.n:(i+1)*o.n], z)
		}
	}
	return v
}

func (o *quadObjective) grad(dst, z []float64) {
	for i := range dst {
		dst[i] = o.q[i]
		if o.p != nil {
			dst[i] += dot(o.p[i*o.n:(i+1)*o.n], z)
		}
	}
}

func (o *quadObjective) hess(dst, _ []float64) {
	if o.p == nil {
		clear(dst[:o.n*o.n])
		return
	}
	copy(dst, o.p)
}

// symData returns the row-major n×n contents of s (both triangles).
func symData(s *mat.SymDense, n int) []float64 {
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := s.At(i, j)
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out
}

// SolveQP solves qp with a dense primal–dual interior-point method
// (Mehrotra's predictor–corrector) to relative residuals Options.Tol, then
// polishes the result on the identified active set (StatusExact) unless
// that fails or is disabled.
//
// Errors: ErrNaN for non-finite data; ErrNotConvex if P has a negative
// eigenvalue (below −1e-9 relative to its largest); ErrInfeasible if no
// point satisfies the constraints (inconsistent equalities are found before
// iterating, inequalities by a phase-one linear program after the iteration
// fails); ErrUnbounded if a recession direction d (Pd = 0, Gd ≤ 0, Ad = 0)
// has qᵀd < 0; ErrNoConvergence otherwise, with the last iterate. Shape
// mismatches panic with an error wrapping ErrDimension.
func SolveQP(ctx context.Context, qp QP, opts *Options) (*Solution, error) {
	n := len(qp.Q)
	var p []float64
	if qp.P != nil {
		if qp.P.SymmetricDim() != n {
			panicDim("SolveQP: P is %d×%d but q has %d entries", qp.P.SymmetricDim(), qp.P.SymmetricDim(), n)
		}
		p = symData(qp.P, n)
		if err := checkFiniteRows("P", p, n, n, n); err != nil {
			return nil, err
		}
	}
	if err := qp.Constraints.check(n); err != nil {
		return nil, err
	}
	if err := checkFinite("q", qp.Q); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if p != nil {
		if err := checkPSD(p, n, make([]float64, n*n)); err != nil {
			return nil, fmt.Errorf("SolveQP: P: %w", err)
		}
	}
	obj := &quadObjective{n: n, p: p, q: qp.Q}
	return solveGeneral(ctx, obj, n, qp.Constraints, make([]float64, n), generalConfig{quadratic: true, trusted: true}, opts)
}

// generalConfig selects the engine's behaviour for one call.
type generalConfig struct {
	quadratic bool // Newton directions exact: corrector step, no line search
	trusted   bool // Hessian PSD by construction: skip the per-iteration check
	absGap    bool // f is a logarithm: its absolute gap is a relative one in exp(f)
}

// solveGeneral is the shared driver of SolveQP, SolveConvex and the SAA
// problems without a structured solver.
func solveGeneral(ctx context.Context, f objective, n int, c Constraints, z0 []float64, cfg generalConfig, opts *Options) (*Solution, error) {
	eq, err := reduceEqualities(c, n)
	if err != nil {
		return &Solution{Status: StatusInfeasible}, err
	}
	G := newSparseRows(c.G, n)
	w := newIPM(f, n, G, eq.rows, c.H, eq.b, opts.tol(), opts.maxIter(100))
	w.quadratic, w.trusted, w.absGap = cfg.quadratic, cfg.trusted, cfg.absGap
	runErr := w.run(ctx, z0)
	switch {
	case runErr == nil:
		sol := w.solution(opts.polish())
		sol.Nu = eq.expand(sol.Nu)
		return sol, nil
	case errors.Is(runErr, ErrNotConvex):
		return &Solution{Status: StatusUnsolved, Iterations: w.iters}, runErr
	case ctx.Err() != nil:
		return &Solution{Status: StatusUnsolved, Iterations: w.iters}, runErr
	}
	sol := w.solution(opts.polish())
	sol.Nu = eq.expand(sol.Nu)
	if sol.Status == StatusExact {
		return sol, nil // the best iterate polished to a verified KKT point
	}
	sol.Status = StatusNoConvergence
	diag := diagnose(ctx, w, eq, cfg, normInf(w.z) > 1e12*(1+normInf(z0)))
	switch {
	case errors.Is(diag, ErrInfeasible):
		sol.Status = StatusInfeasible
	case errors.Is(diag, ErrUnbounded):
		sol.Status = StatusUnbounded
	case diag == nil:
		diag = fmt.Errorf("interior point after %d iterations (%v), residuals %.3g: %w",
			w.iters, runErr, sol.Residuals.Max(), ErrNoConvergence)
	}
	return sol, diag
}
