package stages

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// Decision rules (param "decision").
const (
	DecisionPerX   = "per_x"  // one stochastic program per context x (default)
	DecisionPooled = "pooled" // one program over all samples of a batch or split (synthetic.md §8.2)
	// pooledSuffix marks the dataset label of results obtained under the
	// pooled rule, so that Table 1 shows them apart from per-context ones.
	pooledSuffix = "-pooled"
)

// Gradient forms (param "gradients").
const (
	GradientsExact     = "exact"     // exact KKT derivatives (portfolio: barrier-smoothed)
	GradientsReference = "reference" // solver.ReferenceOptions: the reference's forms
)

// decisionRule turns samples into decisions and decision losses into
// per-sample gradients: the stochastic program z*(x) = argmin_z (1/M)
// Σ_j f(y_j, z) s.t. the task's constraints (spec README "The method in
// brief"), per context or pooled.
type decisionRule struct {
	prob    solver.Problem     // the formulation solved and differentiated
	diff    solver.DiffOptions // how it is differentiated
	pooled  bool
	clip    float64 // allocation: last-resort clipping of a failed program's samples to ±clip
	retried int     // allocation programs the solver's own method failed on, so far
}

// allocationExponent bounds |yᵀz| over the box for the samples of an
// allocation program that failed twice (solver, then log domain): they are
// clipped to ±allocationExponent/(C·n), ±2.5 for the paper's instance,
// where the data lie in [−2, 1] but the DDIM tail of a barely trained model
// reaches ±200.
const allocationExponent = 50

// newDecisionRule builds the rule of t for the params decision, gradients and
// smooth (−1 = the task's default δ). m is the number of samples per
// context, which the reference allocation gradients average over.
func newDecisionRule(t *task, decision, gradients string, smooth float64) (*decisionRule, error) {
	r := &decisionRule{prob: t.prob}
	if a, ok := t.prob.(solver.Allocation); ok {
		r.clip = allocationExponent / (a.C * float64(a.N))
	}
	switch decision {
	case DecisionPerX:
	case DecisionPooled:
		r.pooled = true
	default:
		return nil, fmt.Errorf("%w: decision %q, want %s or %s", ErrParam, decision, DecisionPerX, DecisionPooled)
	}
	switch gradients {
	case GradientsExact:
	case GradientsReference:
		r.prob, r.diff = solver.ReferenceOptions(t.prob)
	default:
		return nil, fmt.Errorf("%w: gradients %q, want %s or %s", ErrParam, gradients, GradientsExact, GradientsReference)
	}
	switch {
	case smooth < 0 && smooth != -1:
		return nil, fmt.Errorf("%w: smooth = %g, want ≥ 0 or −1 for the task default", ErrParam, smooth)
	case smooth == -1 && t.name == TaskPortfolio && gradients == GradientsExact:
		r.diff.Smooth = PortfolioSmooth
	case smooth > 0:
		r.diff.Smooth = smooth
	}
	return r, nil
}

// decisions are the solved programs of one batch of B contexts with M
// samples each.
type decisions struct {
	rule    *decisionRule
	ys      []*mat.Dense // sample matrix of each program (B programs, or 1 pooled)
	sols    []*solver.Solution
	b, m    int
	clipped []bool // sample entries clipped for a retry, row-major over all B·M samples (nil: none)
}

// solve solves the programs for samples (B·M rows, row b·M + j = sample j of
// context b). An allocation program the solver fails on is retried (see
// retryAllocation); entries clipped by the last resort get zero
// reparameterization gradient, the clip's derivative.
func (r *decisionRule) solve(ctx context.Context, samples *mat.Dense, b, m int) (*decisions, error) {
	rows, n := samples.Dims()
	if rows != b*m {
		panic(fmt.Sprintf("stages: %d sample rows for %d contexts × %d samples", rows, b, m))
	}
	d := &decisions{rule: r, b: b, m: m}
	per := m
	if r.pooled {
		per = b * m
	}
	d.ys = make([]*mat.Dense, rows/per)
	for i := range d.ys {
		d.ys[i] = samples.Slice(i*per, (i+1)*per, 0, n).(*mat.Dense)
	}
	sols, err := solver.SolveBatch(ctx, r.prob, d.ys, nil)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for i, sol := range sols {
		if usable(sol) {
			continue
		}
		a, ok := r.prob.(solver.Allocation)
		if !ok {
			return nil, fmt.Errorf("%w: solving the decision problems: %w", ErrNumeric, err)
		}
		if sols[i], err = d.retryAllocation(ctx, a, i, per); err != nil {
			return nil, fmt.Errorf("%w: solving decision problem %d (also in the log domain and with samples clipped to ±%g): %w", ErrNumeric, i, r.clip, err)
		}
	}
	d.sols = sols
	return d, nil
}

// acceptResidual is the largest KKT residual of a solution accepted although
// the solver stopped short of its own tolerance (1e-9): the reference's
// OSQP solves to 1e-5 and falls back to 1e-3 and 1e-1 (synthetic.md §2).
const acceptResidual = 1e-6

// usable reports whether sol can be used: solved, or stopped with residuals
// within acceptResidual.
func usable(sol *solver.Solution) bool {
	if sol == nil {
		return false
	}
	switch sol.Status {
	case solver.StatusExact, solver.StatusOptimal:
		return true
	case solver.StatusNoConvergence:
		return len(sol.Z) > 0 && sol.Residuals.Max() <= acceptResidual
	}
	return false
}

// retryAllocation solves allocation program i (rows i·per …) after the
// solver's own method failed: in the log domain (solveAllocationLog), then,
// if that fails too, in the log domain with the samples clipped to ±clip.
func (d *decisions) retryAllocation(ctx context.Context, a solver.Allocation, i, per int) (*solver.Solution, error) {
	d.rule.retried++
	if sol, err := solveAllocationLog(ctx, a, d.ys[i]); err == nil {
		return sol, nil
	}
	c := mat.DenseCopyOf(d.ys[i])
	raw := c.RawMatrix().Data
	if d.clipped == nil {
		d.clipped = make([]bool, d.b*d.m*a.N)
	}
	off := i * per * a.N
	for k, v := range raw {
		if v < -d.rule.clip || v > d.rule.clip {
			raw[k] = math.Max(-d.rule.clip, math.Min(d.rule.clip, v))
			d.clipped[off+k] = true
		}
	}
	d.ys[i] = c
	return solveAllocationLog(ctx, a, c)
}

// z returns the decision of each context (the pooled one repeated).
func (d *decisions) z() [][]float64 {
	out := make([][]float64, d.b)
	for i := range out {
		if d.rule.pooled {
			out[i] = d.sols[0].Z
		} else {
			out[i] = d.sols[i].Z
		}
	}
	return out
}

// upstream returns a = dL/dz* of each program for the batch loss
// L = (1/B) Σ_b f(y_b, z_b) at the true targets y (B rows): ∇_z f(y_b, z_b)/B
// per context, or their sum for the pooled program.
func (d *decisions) upstream(y *mat.Dense) [][]float64 {
	n := d.rule.prob.Dim()
	g := make([]float64, n)
	as := make([][]float64, len(d.sols))
	for i := range as {
		as[i] = make([]float64, n)
	}
	for b, z := range d.z() {
		d.rule.prob.Grad(g, y.RawRowView(b), z)
		a := as[0]
		if !d.rule.pooled {
			a = as[b]
		}
		for k, v := range g {
			a[k] += v / float64(d.b)
		}
	}
	return as
}

// sensitivity is the per-sample result of differentiating a batch.
type sensitivity struct {
	weights []float64  // score-function weights w_j (no 1/M), B·M entries
	dy      *mat.Dense // dL/dy_j (includes 1/M), B·M × n
	scale   float64    // 1/(samples per program): dL/dθ ≈ scale·Σ_j w_j ∇log p(y_j)
}

// differentiate returns the per-sample gradients of the batch loss whose
// upstream gradients are as (see upstream).
func (d *decisions) differentiate(ctx context.Context, as [][]float64, want solver.Want) (*sensitivity, error) {
	opts := d.rule.diff
	opts.Want = want
	if opts.Mixed == solver.MixedReference && d.rule.pooled {
		opts.Group = d.m // the reference averages per context inside a pooled problem
	}
	sens, err := solver.DifferentiateBatch(ctx, d.rule.prob, d.ys, d.sols, as, &opts)
	if err != nil {
		return nil, fmt.Errorf("%w: differentiating the decision problems: %w", ErrNumeric, err)
	}
	out := &sensitivity{scale: 1 / float64(d.m)}
	if d.rule.pooled {
		out.scale = 1 / float64(d.b*d.m)
	}
	if want != solver.WantDY {
		for _, s := range sens {
			out.weights = append(out.weights, s.Weights...)
		}
	}
	if want != solver.WantWeights {
		out.dy = mat.NewDense(d.b*d.m, d.rule.prob.Dim(), nil)
		row := 0
		for _, s := range sens {
			r, _ := s.DY.Dims()
			for i := 0; i < r; i++ {
				out.dy.SetRow(row, s.DY.RawRowView(i))
				row++
			}
		}
		for i, c := range d.clipped {
			if c {
				out.dy.RawMatrix().Data[i] = 0 // the clip's derivative
			}
		}
	}
	return out, nil
}

// resultLabel is the dataset label under which a DFL or evaluation run
// reports: the data's label, with pooledSuffix when its decisions were
// pooled (the reference's synthetic protocol), since those numbers answer a
// different question than per-context decisions.
func resultLabel(t *task, p pipeline.Params) string {
	if d, ok := p["decision"].(string); ok && d == DecisionPooled {
		return t.label + pooledSuffix
	}
	return t.label
}
