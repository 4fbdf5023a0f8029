package solver

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Portfolio is the stock-portfolio problem (portfolio.md §2): with returns y,
//
//	f(y, z) = (α/2)(yᵀz)² − yᵀz  over the simplex 1ᵀz = 1, z ≥ 0,
//
// so that F(z) = (α/2) zᵀSz − ȳᵀz with S = YᵀY/M. G = −I (and, with
// UpperBounds, the reference's redundant rows z ≤ 1 below it), A = 1ᵀ, b = 1.
//
// With α = 1e-6 (the reference) the quadratic term is about 1e-9 and the
// optimum is a vertex: all wealth in the asset with the largest mean
// return. Solve first tests the best vertex e_k against the KKT conditions
// (O(Mn)) and falls back to the interior-point QP solver otherwise.
//
// Dual convention at a vertex (portfolio.md §2.3). With the redundant upper
// bounds the multipliers are not unique: ν may be anything in an interval
// and λ_up,k takes up the difference. This package always reports
// ν = ȳ_k − α(Sz)_k, λ_up = 0, λ_lo,i = ∂F/∂z_i + ν ≥ 0 (which is also the
// unique answer without the upper bounds). Without UpperBounds, and with a
// strictly best asset, the vertex is non-degenerate: K is non-singular and
// the exact derivative of z* is zero (an LP optimum does not move under
// small perturbations), so both estimators give zero gradients. The
// reference's KKT matrix keeps the upper bounds, whose weakly active row
// z_k ≤ 1 (λ = 0, slack 0) makes K singular, and adds 1e-6·I;
// ReferenceOptions reproduces that, and its regularized gradients are what
// trains the reference's portfolio models. [note] That ridge also puts +r on
// the complementarity diagonal of every active bound z_i ≥ 0, which acts as
// a stiffness −λ_i/r: the reference's sensitivity of a non-chosen asset has
// the opposite sign of any smoothing (raising its mean return lowers its
// weight; TestRidgeSignAtVertex). DiffOptions.Smooth gives a correctly
// signed surrogate (the derivative of a barrier-smoothed problem) for
// training with vertex optima.
type Portfolio struct {
	N           int
	Alpha       float64 // risk aversion α ≥ 0
	UpperBounds bool    // add the redundant rows z ≤ 1 (the reference's formulation)
}

// NewPortfolio returns the paper's instance with n = 50 assets.
func NewPortfolio(alpha float64) Portfolio { return Portfolio{N: 50, Alpha: alpha} }

// Dim returns n.
func (p Portfolio) Dim() int { return p.N }

// Cost returns (α/2)(yᵀz)² − yᵀz; the realised return is yᵀz.
func (p Portfolio) Cost(y, z []float64) float64 {
	r := dot(y, z)
	return 0.5*p.Alpha*r*r - r
}

// Grad sets dst = α(yᵀz)y − y.
func (p Portfolio) Grad(dst, y, z []float64) {
	c := p.Alpha*dot(y, z) - 1
	for i, v := range y {
		dst[i] = c * v
	}
}

// Hess sets dst = α y yᵀ.
func (p Portfolio) Hess(dst *mat.SymDense, y, _ []float64) {
	for i := range y {
		for k := i; k < len(y); k++ {
			dst.SetSym(i, k, p.Alpha*y[i]*y[k])
		}
	}
}

// Mixed sets dst = α(y zᵀ + (yᵀz)I) − I, the exact ∂(∇_z f)/∂y
// (portfolio.md §3.3).
func (p Portfolio) Mixed(dst *mat.Dense, y, z []float64) {
	r := dot(y, z)
	for i := range y {
		for k := range z {
			v := p.Alpha * y[i] * z[k]
			if i == k {
				v += p.Alpha*r - 1
			}
			dst.Set(i, k, v)
		}
	}
}

// mixedTransVec sets dst = Dᵀu for D = α(y zᵀ + (yᵀz)I) − I.
func (p Portfolio) mixedTransVec(dst, y, z, u []float64) {
	yu, r := dot(y, u), dot(y, z)
	for k := range dst {
		dst[k] = p.Alpha*z[k]*yu + (p.Alpha*r-1)*u[k]
	}
}

// referenceMixedTransVec applies the reference's d2g_dzdy, diag(2α y ⊙ z),
// which drops the dominant −I term (portfolio.md §3.3).
func (p Portfolio) referenceMixedTransVec(dst, y, z, u []float64) {
	for k := range dst {
		dst[k] = 2 * p.Alpha * y[k] * z[k] * u[k]
	}
}

// saaHess sets dst to (α/M) YᵀY.
func (p Portfolio) saaHess(dst []float64, Y *mat.Dense, _ []float64) {
	m, n := Y.Dims()
	clear(dst[:n*n])
	for j := 0; j < m; j++ {
		y := Y.RawRowView(j)
		for a := 0; a < n; a++ {
			c := p.Alpha * y[a] / float64(m)
			row := dst[a*n : (a+1)*n]
			for b := range row {
				row[b] += c * y[b]
			}
		}
	}
}

func (p Portfolio) referenceAveraged() bool { return false }

// Constraints returns z ≥ 0 (and z ≤ 1 with UpperBounds) and 1ᵀz = 1.
func (p Portfolio) Constraints() Constraints {
	rows := p.N
	if p.UpperBounds {
		rows *= 2
	}
	g := mat.NewDense(rows, p.N, nil)
	h := make([]float64, rows)
	for i := 0; i < p.N; i++ {
		g.Set(i, i, -1)
		if p.UpperBounds {
			g.Set(p.N+i, i, 1)
			h[p.N+i] = 1
		}
	}
	ones := make([]float64, p.N)
	for i := range ones {
		ones[i] = 1
	}
	return Constraints{G: g, H: h, A: mat.NewDense(1, p.N, ones), B: []float64{1}}
}

func (p Portfolio) rows() rowSet {
	g, a := newRowBuilder(p.N), newRowBuilder(p.N)
	for i := 0; i < p.N; i++ {
		g.add([]int{i}, []float64{-1}, 0)
	}
	if p.UpperBounds {
		for i := 0; i < p.N; i++ {
			g.add([]int{i}, []float64{1}, 1)
		}
	}
	cols, ones := make([]int, p.N), make([]float64, p.N)
	for i := range cols {
		cols[i], ones[i] = i, 1
	}
	a.add(cols, ones, 1)
	return rowSet{g: g.s, a: a.s, h: g.rhs, b: a.rhs}
}

func (p Portfolio) validate() error {
	if p.N <= 0 {
		panicDim("Portfolio: N = %d", p.N)
	}
	if math.IsNaN(p.Alpha) || math.IsInf(p.Alpha, 0) {
		return fmt.Errorf("portfolio: α = %v: %w", p.Alpha, ErrNaN)
	}
	if p.Alpha < 0 {
		return fmt.Errorf("portfolio: α = %g < 0 makes the risk term concave: %w", p.Alpha, ErrNotConvex)
	}
	return nil
}

func (p Portfolio) solveSAA(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error) {
	if err := p.validate(); err != nil {
		return &Solution{Status: StatusUnsolved}, err
	}
	m, n := Y.Dims()
	mean := make([]float64, n)
	for j := 0; j < m; j++ {
		for i, v := range Y.RawRowView(j) {
			mean[i] += v / float64(m)
		}
	}
	if sol := p.vertex(Y, mean); sol != nil {
		return sol, nil
	}
	var s mat.SymDense
	s.SymOuterK(p.Alpha/float64(m), Y.T())
	q := make([]float64, n)
	z0 := make([]float64, n)
	for i := range q {
		q[i], z0[i] = -mean[i], 1/float64(n)
	}
	obj := &quadObjective{n: n, p: symData(&s, n), q: q}
	sol, err := solveGeneral(ctx, obj, n, p.Constraints(), z0, generalConfig{quadratic: true, trusted: true}, opts)
	if err != nil && ctx.Err() == nil && sol.Status == StatusNoConvergence {
		// The predictor–corrector steps can stall (at α = 10, 1 of about
		// 5,000 diffusion-sample programs of a DFL run stopped at residual
		// 1e-4; testdata/portfolio_stall.txt): retry with line-searched steps.
		if retry, rerr := solveGeneral(ctx, obj, n, p.Constraints(), z0, generalConfig{trusted: true}, opts); rerr == nil {
			sol, err = retry, nil
		}
	}
	if err != nil {
		return sol, fmt.Errorf("portfolio: %w", err)
	}
	sol.Objective = SAAObjective(p, Y, sol.Z)
	return sol, nil
}

// vertex returns the solution e_k if the best vertex satisfies the KKT
// conditions (then it is optimal: the problem is convex), else nil.
func (p Portfolio) vertex(Y *mat.Dense, mean []float64) *Solution {
	m, n := Y.Dims()
	k, best := 0, math.Inf(1)
	for i := 0; i < n; i++ {
		var sii float64
		for j := 0; j < m; j++ {
			v := Y.At(j, i)
			sii += v * v
		}
		if f := 0.5*p.Alpha*sii/float64(m) - mean[i]; f < best {
			k, best = i, f
		}
	}
	grad := make([]float64, n) // ∇F(e_k) = α S e_k − ȳ
	for j := 0; j < m; j++ {
		row := Y.RawRowView(j)
		c := p.Alpha * row[k] / float64(m)
		for i, v := range row {
			grad[i] += c * v
		}
	}
	for i := range grad {
		grad[i] -= mean[i]
	}
	nu := -grad[k]
	rs := p.rows()
	sol := &Solution{Z: make([]float64, n), Lambda: make([]float64, len(rs.h)), Nu: []float64{nu},
		Objective: best, Status: StatusExact}
	sol.Z[k] = 1
	for i := range grad {
		if i == k {
			continue
		}
		if sol.Lambda[i] = grad[i] + nu; sol.Lambda[i] < 0 {
			return nil
		}
	}
	sol.Residuals = kktResiduals(rs, grad, sol.Z, sol.Lambda, sol.Nu)
	return sol
}
