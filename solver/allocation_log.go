package solver

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// logExpObjective is the allocation's SAA objective in the log domain,
//
//	g(z) = log F(z) = log((1/M) Σ_j exp(−y_jᵀz)),
//
// which has the same minimiser as F over the box. Its derivatives are
// those of a softmax: with p = softmax(−Yz), ∇g = −Σ_j p_j y_j = −ȳ and
// ∇²g = Σ_j p_j (y_j − ȳ)(y_j − ȳ)ᵀ, summed from centred terms so that
// rounding cannot make it indefinite. Unlike F, whose value spans
// exp(±C·Σ_i|y_ji|) over the box, g and its derivatives have the scale of
// the samples whatever the optimal value is: a stopping test on g is
// scale-free in F (an absolute gap ε in g is a relative one in F), which
// the interior point needs when F* is 1e-10 (issue: alternating ±4
// samples) or when one sample dominates F at the starting point by e^50.
type logExpObjective struct {
	y     *mat.Dense
	m, n  int
	lastZ []float64
	p     []float64 // softmax weights at lastZ
	val   float64   // g(lastZ)
	ybar  []float64 // Σ_j p_j y_j at lastZ
	c     []float64 // scratch
	valid bool
}

func newLogExpObjective(Y *mat.Dense) *logExpObjective {
	m, n := Y.Dims()
	return &logExpObjective{y: Y, m: m, n: n, lastZ: make([]float64, n), p: make([]float64, m),
		ybar: make([]float64, n), c: make([]float64, n)}
}

// eval caches p, g and ȳ at z.
func (o *logExpObjective) eval(z []float64) {
	if o.valid && equalSlices(o.lastZ, z) {
		return
	}
	copy(o.lastZ, z)
	mx := math.Inf(-1)
	for j := range o.p {
		o.p[j] = -dot(o.y.RawRowView(j), z)
		mx = max(mx, o.p[j])
	}
	var s float64
	for j, v := range o.p {
		o.p[j] = math.Exp(v - mx)
		s += o.p[j]
	}
	clear(o.ybar)
	for j := range o.p {
		o.p[j] /= s
		for i, v := range o.y.RawRowView(j) {
			o.ybar[i] += o.p[j] * v
		}
	}
	o.val = mx + math.Log(s/float64(o.m))
	o.valid = true
}

func (o *logExpObjective) value(z []float64) float64 {
	o.eval(z)
	return o.val
}

func (o *logExpObjective) grad(dst, z []float64) {
	o.eval(z)
	for i, v := range o.ybar {
		dst[i] = -v
	}
}

func (o *logExpObjective) hess(dst, z []float64) {
	o.eval(z)
	n := o.n
	clear(dst[:n*n])
	for j, pj := range o.p {
		if pj == 0 {
			continue
		}
		for i, v := range o.y.RawRowView(j) {
			o.c[i] = v - o.ybar[i]
		}
		for a := 0; a < n; a++ {
			ca := pj * o.c[a]
			row := dst[a*n : (a+1)*n]
			for b := a; b < n; b++ {
				row[b] += ca * o.c[b]
			}
		}
	}
	for a := 0; a < n; a++ {
		for b := 0; b < a; b++ {
			dst[a*n+b] = dst[b*n+a]
		}
	}
}

// maxLogF bounds |log F(z*)|: beyond it F, its multipliers and the
// per-sample terms of Differentiate (F·y·yᵀ and the like) overflow or lose
// their precision in float64.
const maxLogF = 600

// solveLogDomain minimises g over the box and returns the solution in F's
// terms: since ∇F = F·∇g, the multipliers of ∇F + Gᵀλ = 0 are F(z*) times
// those of ∇g + Gᵀλ' = 0, and so are the stationarity and complementarity
// residuals. If |log F(z*)| > maxLogF (samples of size 10² and more), z* is
// still returned but the solution is StatusNoConvergence with an
// ErrNoConvergence error, NaN multipliers and infinite residuals: its
// multipliers in F's terms are not representable, and Differentiate could
// not use them.
func (a Allocation) solveLogDomain(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error) {
	return a.solveLog(ctx, Y, generalConfig{trusted: true, absGap: true}, opts)
}

// SolveLogChecked minimises the same log-domain objective as Solve, but on
// SolveConvex's general path: the Hessian's convexity is checked every
// iteration and the gap is relative to 1 + |log F| instead of absolute. The
// decision rule retries with it where Solve failed (a different stopping
// rule sometimes ends where the other stalled); the solution is in F's
// terms, as Solve's, and an error comes with whatever z was reached.
func (a Allocation) SolveLogChecked(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error) {
	if _, n := Y.Dims(); n != a.N {
		panicDim("Allocation.SolveLogChecked: samples have %d columns, want %d", n, a.N)
	}
	return a.solveLog(ctx, Y, generalConfig{}, opts)
}

// solveLog is solveLogDomain with the interior point's settings given.
func (a Allocation) solveLog(ctx context.Context, Y *mat.Dense, cfg generalConfig, opts *Options) (*Solution, error) {
	z0 := make([]float64, a.N)
	for i := range z0 {
		z0[i] = a.C / 2
	}
	obj := newLogExpObjective(Y)
	sol, err := solveGeneral(ctx, obj, a.N, a.Constraints(), z0, cfg, opts)
	if sol == nil || sol.Z == nil {
		return sol, fmt.Errorf("allocation (log domain): %w", err)
	}
	logF := obj.value(sol.Z)
	if math.Abs(logF) > maxLogF {
		inf := math.Inf(1)
		sol.Status, sol.Objective = StatusNoConvergence, math.Exp(logF)
		sol.Residuals = Residuals{Stationarity: inf, Complementarity: inf}
		for i := range sol.Lambda {
			sol.Lambda[i] = math.NaN()
		}
		return sol, fmt.Errorf("allocation: optimal value F = exp(%.4g) is outside exp(±%d), where its multipliers overflow: %w",
			logF, maxLogF, ErrNoConvergence)
	}
	f := math.Exp(logF)
	for i := range sol.Lambda {
		sol.Lambda[i] *= f
	}
	sol.Objective = f
	sol.Residuals.Stationarity *= f
	sol.Residuals.Complementarity *= f
	sol.Residuals.DualSign *= f
	if err != nil {
		return sol, fmt.Errorf("allocation (log domain): %w", err)
	}
	return sol, nil
}
