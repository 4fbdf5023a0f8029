package stages

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/solver"
)

// allocationSamples draws M samples like the synthetic data (0.5 or −1.5
// plus noise) with a share of outlier entries of magnitude up to scale, and
// with probability rowOut a whole row of outliers.
func allocationSamples(rng *rand.Rand, m, n int, scale, rowOut float64) *mat.Dense {
	y := mat.NewDense(m, n, nil)
	for i := 0; i < m; i++ {
		bad := rng.Float64() < rowOut
		for j := 0; j < n; j++ {
			v := 0.5 + 0.075*rng.NormFloat64()
			if rng.Float64() < 0.1 {
				v -= 2
			}
			if bad || rng.Float64() < 0.05 {
				v = (2*rng.Float64() - 1) * scale
			}
			y.Set(i, j, v)
		}
	}
	return y
}

// kktResidual returns the largest violation of the allocation's KKT
// conditions at sol: stationarity ∇F + Gᵀλ = 0, feasibility,
// complementarity and λ ≥ 0, the multiplier terms relative to the gradient
// scale F(z)·‖Y‖∞.
func kktResidual(a solver.Allocation, y *mat.Dense, sol *solver.Solution) float64 {
	m, n := y.Dims()
	g, gj := make([]float64, n), make([]float64, n)
	for j := 0; j < m; j++ {
		a.Grad(gj, y.RawRowView(j), sol.Z)
		for i := range g {
			g[i] += gj[i] / float64(m)
		}
	}
	scale, worst := solver.SAAObjective(a, y, sol.Z)*mat.Norm(y, math.Inf(1)), 0.0
	for i := 0; i < n; i++ {
		lo, up := sol.Lambda[i], sol.Lambda[n+i]
		worst = math.Max(worst, math.Abs(g[i]-lo+up)/scale)
		worst = math.Max(worst, math.Max(-sol.Z[i], sol.Z[i]-a.C))
		worst = math.Max(worst, math.Max(lo*sol.Z[i], up*(a.C-sol.Z[i]))/scale)
		worst = math.Max(worst, math.Max(-lo, -up)/scale)
	}
	return worst
}

// TestLogDomainAllocationMatchesSolver checks the fallback against the
// solver's allocation method where that succeeds: same minimizer, same
// multipliers (so the same derivatives), KKT conditions at rounding level.
func TestLogDomainAllocationMatchesSolver(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := solver.NewAllocation()
	ctx := context.Background()
	compared := 0
	for trial := 0; trial < 60; trial++ {
		y := allocationSamples(rng, []int{1, 4, 16, 64}[trial%4], a.N, 3, 0)
		want, err := solver.Solve(ctx, a, y, nil)
		if err != nil {
			continue
		}
		got, err := solveAllocationLog(ctx, a, y)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if r := kktResidual(a, y, got); r > 1e-6 {
			t.Errorf("trial %d: KKT residual %g; z %v λ %v status %v; solver z %v λ %v", trial, r, got.Z, got.Lambda, got.Status, want.Z, want.Lambda)
		}
		// Both are optimal to their tolerances; where the problem is flat the
		// solver stops up to ~1e-5 away, with a higher objective.
		if fg, fw := solver.SAAObjective(a, y, got.Z), solver.SAAObjective(a, y, want.Z); fg > fw*(1+1e-12) {
			t.Errorf("trial %d: objective %.17g above the solver's %.17g", trial, fg, fw)
		}
		for i := range want.Z {
			if math.Abs(want.Z[i]-got.Z[i]) > 1e-4 {
				t.Fatalf("trial %d: z[%d] = %g, solver %g; KKT residuals %g, solver %g; F %g, solver %g", trial, i, got.Z[i], want.Z[i],
					kktResidual(a, y, got), kktResidual(a, y, want), solver.SAAObjective(a, y, got.Z), solver.SAAObjective(a, y, want.Z))
			}
		}
		if !floatsClose(want.Z, got.Z, 1e-8) {
			continue // a flat problem: the derivatives of two optima 1e-5 apart differ
		}
		compared++
		ga := make([]float64, a.N)
		ga[trial%a.N] = 1
		sw, err1 := solver.Differentiate(a, y, want, ga, nil)
		sg, err2 := solver.Differentiate(a, y, got, ga, nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("trial %d: differentiate: %v, %v", trial, err1, err2)
		}
		if !floatsClose(sw.Weights, sg.Weights, 1e-5) {
			t.Fatalf("trial %d: weights %v, the solver's solution gives %v", trial, sg.Weights, sw.Weights)
		}
	}
	if compared < 30 {
		t.Fatalf("only %d of 60 trials compared derivatives", compared)
	}
}

// floatsClose reports |a_i − b_i| ≤ tol·(1 + |b_i|) for every i.
func floatsClose(a, b []float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(b[i])) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestDecisionRuleSurvivesOutliers feeds the decision rule samples with
// rows of ±100, on which the solver's allocation method broke down (63 of
// 64 programs) while it evaluated F = (1/M) Σ exp(−yᵀz) instead of log F,
// and checks every program is solved to KKT accuracy and differentiated,
// now without the log-domain retry (TestLogDomainAllocationMatchesSolver
// still checks the retry itself).
func TestDecisionRuleSurvivesOutliers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tk := &task{name: TaskSynthetic, prob: solver.NewAllocation()}
	rule, err := newDecisionRule(tk, DecisionPerX, GradientsExact, -1)
	if err != nil {
		t.Fatal(err)
	}
	const b, m = 64, 16
	ys := mat.NewDense(b*m, 10, nil)
	ys.Stack(allocationSamples(rng, b*m/2, 10, 100, 0.2), allocationSamples(rng, b*m/2, 10, 100, 0.2))
	dec, err := rule.solve(context.Background(), ys, b, m)
	if err != nil {
		t.Fatal(err)
	}
	if rule.retried != 0 {
		t.Errorf("%d of %d programs needed the fallback; the solver's log-domain method should solve them all", rule.retried, b)
	}
	for i, sol := range dec.sols {
		if r := kktResidual(tk.prob.(solver.Allocation), dec.ys[i], sol); r > 1e-6 {
			t.Errorf("program %d: KKT residual %g", i, r)
		}
	}
	yTrue := allocationSamples(rng, b, 10, 0, 0)
	if _, err := dec.differentiate(context.Background(), dec.upstream(yTrue), solver.WantAll); err != nil {
		t.Fatal(err)
	}
}
