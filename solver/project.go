package solver

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Projection returns the problem f(y, z) = ½‖z − y‖² with p's constraints:
// solving it for one sample v gives the Euclidean projection of v onto p's
// feasible set (for M samples, the projection of their mean), and
// Differentiate's DY gives the vector–Jacobian product of the projection.
// It serves policy baselines that project a network's output. Box,
// simplex and ramp sets are projected exactly by sorting or by the power
// chain method; other sets by the QP solver.
func Projection(p Problem) Problem { return projection{base: p} }

type projection struct{ base Problem }

func (q projection) Dim() int { return q.base.Dim() }

func (q projection) Cost(y, z []float64) float64 {
	var acc float64
	for i, v := range z {
		acc += 0.5 * (v - y[i]) * (v - y[i])
	}
	return acc
}

func (q projection) Grad(dst, y, z []float64) {
	for i, v := range z {
		dst[i] = v - y[i]
	}
}

func (q projection) Hess(dst *mat.SymDense, _, _ []float64) {
	dst.Zero()
	for i := 0; i < q.Dim(); i++ {
		dst.SetSym(i, i, 1)
	}
}

func (q projection) Mixed(dst *mat.Dense, _, _ []float64) {
	dst.Zero()
	for i := 0; i < q.Dim(); i++ {
		dst.Set(i, i, -1)
	}
}

func (q projection) Constraints() Constraints { return q.base.Constraints() }

func (q projection) rows() rowSet { return problemRows(q.base) }

func (q projection) mixedTransVec(dst, _, _, u []float64) {
	for k := range dst {
		dst[k] = -u[k]
	}
}

func (q projection) saaHess(dst []float64, _ *mat.Dense, _ []float64) { setIdentity(dst, q.Dim()) }

func (q projection) solveSAA(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error) {
	m, n := Y.Dims()
	v := make([]float64, n)
	for j := 0; j < m; j++ {
		for i, y := range Y.RawRowView(j) {
			v[i] += y / float64(m)
		}
	}
	var sol *Solution
	var err error
	switch b := q.base.(type) {
	case Allocation:
		if err = b.validate(); err == nil {
			sol = projectBox(v, b.C)
		}
	case Portfolio:
		sol = projectSimplex(v, b.UpperBounds)
	case Power:
		if err = b.validate(); err == nil {
			ch := newChain(columns(mat.NewDense(1, n, v)), 1, 0, 0, b.Ramp, opts.maxIter(20000))
			if !ch.solve() {
				err = fmt.Errorf("projection onto the ramp set: %w", ErrNoConvergence)
			}
			sol = ch.solution()
			sol.Kinks = nil
		}
	default:
		qp := QP{P: identity(n), Q: scaled(v, -1), Constraints: q.base.Constraints()}
		sol, err = SolveQP(ctx, qp, opts)
	}
	if err != nil {
		return sol, fmt.Errorf("projection: %w", err)
	}
	sol.Objective = SAAObjective(q, Y, sol.Z)
	grad := make([]float64, n)
	for i := range grad {
		grad[i] = sol.Z[i] - v[i]
	}
	sol.Residuals = kktResiduals(q.rows(), grad, sol.Z, sol.Lambda, sol.Nu)
	return sol, nil
}

func identity(n int) *mat.SymDense {
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		s.SetSym(i, i, 1)
	}
	return s
}

func scaled(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = f * v
	}
	return out
}

// projectBox clips v to [0, C]; λ_lo = −v_i at 0, λ_up = v_i − C at C.
func projectBox(v []float64, c float64) *Solution {
	n := len(v)
	sol := &Solution{Z: make([]float64, n), Lambda: make([]float64, 2*n), Nu: []float64{}, Status: StatusExact}
	for i, x := range v {
		switch {
		case x <= 0:
			sol.Lambda[i] = -x
		case x >= c:
			sol.Z[i], sol.Lambda[n+i] = c, x-c
		default:
			sol.Z[i] = x
		}
	}
	return sol
}

// projectSimplex is the sorting method (Held, Wolfe & Crowder 1974; Duchi
// et al. 2008): z = (v − θ)⁺ with θ making 1ᵀz = 1; ν = θ and
// λ_lo,i = θ − v_i where z_i = 0. The rows z ≤ 1, if present, get λ = 0.
func projectSimplex(v []float64, upper bool) *Solution {
	n := len(v)
	u := append([]float64(nil), v...)
	sort.Sort(sort.Reverse(sort.Float64Slice(u)))
	var acc, theta float64
	for j, x := range u {
		acc += x
		if t := (acc - 1) / float64(j+1); x-t > 0 {
			theta = t
		}
	}
	rows := n
	if upper {
		rows *= 2
	}
	sol := &Solution{Z: make([]float64, n), Lambda: make([]float64, rows), Nu: []float64{theta}, Status: StatusExact}
	for i, x := range v {
		sol.Z[i] = math.Max(x-theta, 0)
		if sol.Z[i] == 0 {
			sol.Lambda[i] = theta - x
		}
	}
	return sol
}

// Project returns the Euclidean projection of v onto p's feasible set,
// with multipliers: Solve(ctx, Projection(p), v as a 1×n matrix, opts).
func Project(ctx context.Context, p Problem, v []float64, opts *Options) (*Solution, error) {
	if len(v) != p.Dim() {
		panicDim("Project: v has %d entries, problem has n = %d", len(v), p.Dim())
	}
	return Solve(ctx, Projection(p), mat.NewDense(1, len(v), append([]float64(nil), v...)), opts)
}

// ProjectVJP returns aᵀ ∂Π(v)/∂v for the projection sol = Project(p, v):
// the gradient of L with respect to v given a = dL/dΠ(v). At points where
// the projection is not differentiable (a constraint weakly active), the
// constraint is treated as inactive.
func ProjectVJP(p Problem, v []float64, sol *Solution, a []float64) ([]float64, error) {
	y := mat.NewDense(1, len(v), append([]float64(nil), v...))
	sens, err := Differentiate(Projection(p), y, sol, a, &DiffOptions{Want: WantDY})
	if err != nil {
		return nil, err
	}
	return sens.DY.RawRowView(0), nil
}
