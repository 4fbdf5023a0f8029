package stages

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/solver"
)

// logSumExp is the allocation's SAA objective in the log domain,
//
//	g(z) = log((1/M) Σ_j exp(−y_jᵀz)),
//
// which has the same minimizer over the box as F(z) = exp(g(z)) and stays
// well scaled whatever the samples: ∇g = −Σ_j p_j y_j and ∇²g the p-weighted
// covariance of the samples, p = softmax(−Yz). The solver's allocation
// method works on the same log-domain objective since it made its stopping
// test scale-free (before, it evaluated F, whose dynamic range over the box
// is exp(2C·Σ|y|), and broke down on the heavy-tailed samples of a barely
// trained diffusion model); this copy remains as the retry of
// solveAllocationLog.
type logSumExp struct {
	y    *mat.Dense
	m, n int
	p    []float64 // softmax weights at the last z
}

func newLogSumExp(y *mat.Dense) *logSumExp {
	m, n := y.Dims()
	return &logSumExp{y: y, m: m, n: n, p: make([]float64, m)}
}

func (o *logSumExp) Dim() int { return o.n }

// weights sets o.p = softmax(−Yz) and returns g(z).
func (o *logSumExp) weights(z []float64) float64 {
	mx := math.Inf(-1)
	for j := range o.p {
		o.p[j] = -mat.Dot(mat.NewVecDense(o.n, o.y.RawRowView(j)), mat.NewVecDense(o.n, z))
		mx = math.Max(mx, o.p[j])
	}
	var s float64
	for j, v := range o.p {
		o.p[j] = math.Exp(v - mx)
		s += o.p[j]
	}
	for j := range o.p {
		o.p[j] /= s
	}
	return mx + math.Log(s/float64(o.m))
}

func (o *logSumExp) Value(z []float64) float64 { return o.weights(z) }

func (o *logSumExp) Grad(dst, z []float64) {
	o.weights(z)
	clear(dst)
	for j, pj := range o.p {
		for i, v := range o.y.RawRowView(j) {
			dst[i] -= pj * v
		}
	}
}

// Hess sets dst to the weighted covariance Σ_j p_j (y_j − ȳ)(y_j − ȳ)ᵀ with
// ȳ = Σ_j p_j y_j = −∇g: summed from centered terms, each positive
// semidefinite, so rounding cannot make it indefinite the way Σ p y yᵀ − ȳȳᵀ
// does when p concentrates on one sample.
func (o *logSumExp) Hess(dst *mat.SymDense, z []float64) {
	ybar := make([]float64, o.n)
	o.Grad(ybar, z)
	for i := range ybar {
		ybar[i] = -ybar[i]
	}
	dst.Zero()
	c := make([]float64, o.n)
	for j, pj := range o.p {
		for i, v := range o.y.RawRowView(j) {
			c[i] = v - ybar[i]
		}
		for a := 0; a < o.n; a++ {
			for b := a; b < o.n; b++ {
				dst.SetSym(a, b, dst.At(a, b)+pj*c[a]*c[b])
			}
		}
	}
}

// maxLogF is the solver's bound on |log F(z*)| (its allocation_log.go):
// beyond it the multipliers F·λ' overflow, and the rule clips the samples.
const maxLogF = 600

// solveAllocationLog solves the allocation SAA problem through its
// log-domain objective with the solver's general interior-point method and
// returns the solution in the allocation's own terms: the multipliers of
// ∇F + Gᵀλ = 0 are F(z*) times those of ∇g + Gᵀλ' = 0, since ∇F = F·∇g.
// The decision rule tries the solver's allocation method first; this is
// its fallback. It differs from that method only in running the general
// SolveConvex path (a convexity check every iteration, the gap relative to
// 1 + |g|), so it rarely succeeds where the solver failed; the clipping
// retry after it is what the rule relies on for pathological samples.
func solveAllocationLog(ctx context.Context, a solver.Allocation, y *mat.Dense) (*solver.Solution, error) {
	obj := newLogSumExp(y)
	z0 := make([]float64, a.N)
	for i := range z0 {
		z0[i] = a.C / 2
	}
	sol, err := solver.SolveConvex(ctx, obj, a.Constraints(), z0, nil)
	if err != nil && !usable(sol) {
		return sol, fmt.Errorf("log-domain allocation solve: %w", err)
	}
	logF := obj.Value(sol.Z)
	if math.Abs(logF) > maxLogF {
		return sol, fmt.Errorf("log-domain allocation solve: optimal value exp(%.4g) overflows the multipliers", logF)
	}
	f := math.Exp(logF)
	out := &solver.Solution{Z: sol.Z, Lambda: make([]float64, len(sol.Lambda)), Nu: sol.Nu, Objective: f,
		Status: sol.Status, Iterations: sol.Iterations, Residuals: sol.Residuals}
	for i, l := range sol.Lambda {
		out.Lambda[i] = f * l
	}
	out.Residuals.Stationarity *= f
	out.Residuals.Complementarity *= f
	return out, nil
}
