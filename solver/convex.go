package solver

import (
	"context"

	"gonum.org/v1/gonum/mat"
)

// Objective is a twice continuously differentiable convex function on ℝⁿ,
// given by its value, gradient and Hessian. It must be finite wherever the
// solver evaluates it; the solver treats a non-finite value as a failed
// trial step.
type Objective interface {
	// Dim is n.
	Dim() int
	// Value returns f(z).
	Value(z []float64) float64
	// Grad sets dst = ∇f(z).
	Grad(dst, z []float64)
	// Hess sets dst = ∇²f(z) (n×n).
	Hess(dst *mat.SymDense, z []float64)
}

// objectiveAdapter lets the engine call a public Objective.
type objectiveAdapter struct {
	f   Objective
	n   int
	sym *mat.SymDense
}

func (a *objectiveAdapter) value(z []float64) float64 { return a.f.Value(z) }
func (a *objectiveAdapter) grad(dst, z []float64)     { a.f.Grad(dst, z) }
func (a *objectiveAdapter) hess(dst, z []float64) {
	a.f.Hess(a.sym, z)
	raw := a.sym.RawSymmetric()
	for i := 0; i < a.n; i++ {
		for j := i; j < a.n; j++ {
			v := raw.Data[i*raw.Stride+j]
			dst[i*a.n+j], dst[j*a.n+i] = v, v
		}
	}
}

// SolveConvex minimises a smooth convex f subject to Gz ≤ h, Az = b, starting
// from z0 (nil: the origin; it need not be feasible). It runs the same
// primal–dual interior-point method as SolveQP, with the Hessian
// re-evaluated every iteration and a backtracking line search on the
// residual norm, then polishes on the identified active set with Newton
// steps in the null space of the active constraints.
//
// Convexity is checked, not assumed: if a Hessian met during the iteration
// has an eigenvalue below −1e-9 relative to its largest, ErrNotConvex is
// returned. A function whose infimum is not attained (exp(−z) on z ≥ 0)
// yields an approximate minimiser meeting the tolerance. After a failed
// iteration, ErrUnbounded is reported if the iterates diverged or if the
// objective is still decreasing 10⁹ along the feasible recession direction
// of steepest descent (a numerical criterion, exact for functions linear
// along that direction); ErrInfeasible and ErrNoConvergence as for SolveQP.
func SolveConvex(ctx context.Context, f Objective, c Constraints, z0 []float64, opts *Options) (*Solution, error) {
	n := f.Dim()
	if z0 == nil {
		z0 = make([]float64, n)
	}
	if len(z0) != n {
		panicDim("SolveConvex: z0 has %d entries, objective dimension is %d", len(z0), n)
	}
	if err := c.check(n); err != nil {
		return nil, err
	}
	if err := checkFinite("z0", z0); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	obj := &objectiveAdapter{f: f, n: n, sym: mat.NewSymDense(n, nil)}
	return solveGeneral(ctx, obj, n, c, z0, generalConfig{}, opts)
}
