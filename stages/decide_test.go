package stages

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/solver"
)

// decisionCase is a batch of B contexts with M samples each and true
// targets, for one task's problem.
type decisionCase struct {
	name  string
	task  *task
	ys    *mat.Dense // B·M samples
	yTrue *mat.Dense // B rows
	b, m  int
}

func decisionCases(rng *rand.Rand) []decisionCase {
	const b, m = 3, 5
	syn := &task{name: TaskSynthetic, prob: solver.NewAllocation()}
	pow := &task{name: TaskPower, prob: solver.NewPower()}
	pf := &task{name: TaskPortfolio, prob: solver.Portfolio{N: 6, Alpha: 1}}
	fill := func(r, c int, f func() float64) *mat.Dense {
		d := mat.NewDense(r, c, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				d.Set(i, j, f())
			}
		}
		return d
	}
	allocY := func() float64 { return 0.3 + 0.6*rng.NormFloat64() }
	loadY := func() float64 { return 1.6 + 0.3*rng.NormFloat64() }
	retY := func() float64 { return 0.02 * rng.NormFloat64() }
	return []decisionCase{
		{"synthetic", syn, fill(b*m, 10, allocY), fill(b, 10, allocY), b, m},
		{"power", pow, fill(b*m, 24, loadY), fill(b, 24, loadY), b, m},
		{"portfolio", pf, fill(b*m, 6, retY), fill(b, 6, retY), b, m},
	}
}

// batchLoss is L = (1/B) Σ_b f(y_b, z*_b) for the samples ys.
func batchLoss(t *testing.T, r *decisionRule, c decisionCase, ys *mat.Dense) float64 {
	t.Helper()
	dec, err := r.solve(context.Background(), ys, c.b, c.m)
	if err != nil {
		t.Fatal(err)
	}
	return mean(c.task.costs(c.yTrue, dec.z()))
}

// TestDecisionRulePerXAndPooled checks what the two rules solve: one
// program per context over its own M samples, or one program over all B·M
// samples whose decision every context shares.
func TestDecisionRulePerXAndPooled(t *testing.T) {
	ctx := context.Background()
	for _, c := range decisionCases(rand.New(rand.NewPCG(5, 6))) {
		t.Run(c.name, func(t *testing.T) {
			_, n := c.ys.Dims()
			perX, _ := newDecisionRule(c.task, DecisionPerX, GradientsExact, 0)
			pooled, _ := newDecisionRule(c.task, DecisionPooled, GradientsExact, 0)
			dx, err := perX.solve(ctx, c.ys, c.b, c.m)
			if err != nil {
				t.Fatal(err)
			}
			dp, err := pooled.solve(ctx, c.ys, c.b, c.m)
			if err != nil {
				t.Fatal(err)
			}
			all, err := solver.Solve(ctx, c.task.prob, c.ys, nil)
			if err != nil {
				t.Fatal(err)
			}
			for b, z := range dx.z() {
				own, err := solver.Solve(ctx, c.task.prob, c.ys.Slice(b*c.m, (b+1)*c.m, 0, n).(*mat.Dense), nil)
				if err != nil {
					t.Fatal(err)
				}
				if !floatsClose(z, own.Z, 1e-12) {
					t.Errorf("per_x context %d: z %v, its own program gives %v", b, z, own.Z)
				}
				if !floatsClose(dp.z()[b], all.Z, 1e-12) {
					t.Errorf("pooled context %d: z %v, the program over all samples gives %v", b, dp.z()[b], all.Z)
				}
			}
			if len(dx.sols) != c.b || len(dp.sols) != 1 {
				t.Errorf("%d per-x and %d pooled programs, want %d and 1", len(dx.sols), len(dp.sols), c.b)
			}
		})
	}
}

// TestDecisionGradientsFiniteDifference checks the per-sample
// reparameterization gradients dL/dy_j of both rules against central
// differences of the batch loss, and the score-function scale: per_x
// weights average over the M samples of one program, pooled over B·M.
func TestDecisionGradientsFiniteDifference(t *testing.T) {
	ctx := context.Background()
	for _, c := range decisionCases(rand.New(rand.NewPCG(7, 8))) {
		if c.name == "power" {
			continue // piecewise: z* sits on kinks, where L is not differentiable in every sample
		}
		for _, rule := range []string{DecisionPerX, DecisionPooled} {
			t.Run(c.name+"/"+rule, func(t *testing.T) {
				r, _ := newDecisionRule(c.task, rule, GradientsExact, 0)
				dec, err := r.solve(ctx, c.ys, c.b, c.m)
				if err != nil {
					t.Fatal(err)
				}
				sens, err := dec.differentiate(ctx, dec.upstream(c.yTrue), solver.WantAll)
				if err != nil {
					t.Fatal(err)
				}
				want := 1 / float64(c.m)
				if rule == DecisionPooled {
					want = 1 / float64(c.b*c.m)
				}
				if sens.scale != want || len(sens.weights) != c.b*c.m {
					t.Fatalf("scale %g with %d weights, want %g and %d", sens.scale, len(sens.weights), want, c.b*c.m)
				}
				rows, n := c.ys.Dims()
				const h = 1e-6
				for _, idx := range [][2]int{{0, 0}, {rows - 1, n - 1}, {rows / 2, n / 2}} {
					yp, ym := mat.DenseCopyOf(c.ys), mat.DenseCopyOf(c.ys)
					yp.Set(idx[0], idx[1], yp.At(idx[0], idx[1])+h)
					ym.Set(idx[0], idx[1], ym.At(idx[0], idx[1])-h)
					fd := (batchLoss(t, r, c, yp) - batchLoss(t, r, c, ym)) / (2 * h)
					got := sens.dy.At(idx[0], idx[1])
					if math.Abs(fd-got) > 1e-5*(1+math.Abs(fd)) {
						t.Errorf("dL/dy[%d][%d] = %.9g, finite difference %.9g", idx[0], idx[1], got, fd)
					}
				}
			})
		}
	}
}

// TestUpstreamGradient checks a = dL/dz* against finite differences of
// L = (1/B) Σ_b f(y_b, z_b) in the decisions.
func TestUpstreamGradient(t *testing.T) {
	ctx := context.Background()
	c := decisionCases(rand.New(rand.NewPCG(9, 10)))[0]
	for _, rule := range []string{DecisionPerX, DecisionPooled} {
		r, _ := newDecisionRule(c.task, rule, GradientsExact, 0)
		dec, err := r.solve(ctx, c.ys, c.b, c.m)
		if err != nil {
			t.Fatal(err)
		}
		as := dec.upstream(c.yTrue)
		for p, sol := range dec.sols {
			for i := range sol.Z {
				const h = 1e-6
				z0 := sol.Z[i]
				sol.Z[i] = z0 + h
				lp := mean(c.task.costs(c.yTrue, dec.z()))
				sol.Z[i] = z0 - h
				lm := mean(c.task.costs(c.yTrue, dec.z()))
				sol.Z[i] = z0
				if fd := (lp - lm) / (2 * h); math.Abs(fd-as[p][i]) > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("%s program %d: a[%d] = %g, finite difference %g", rule, p, i, as[p][i], fd)
				}
			}
		}
	}
}

// TestPortfolioSmoothingDefault checks that portfolio DFL differentiates a
// smoothed problem by default (the exact derivative at a vertex is zero),
// and that an explicit smooth = 0 gives the exact, zero, derivative.
func TestPortfolioSmoothingDefault(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pf := &task{name: TaskPortfolio, prob: solver.Portfolio{N: 8, Alpha: PortfolioAlpha}}
	ys, yTrue := mat.NewDense(10, 8, nil), mat.NewDense(1, 8, nil)
	for i := 0; i < 10; i++ {
		for j := 0; j < 8; j++ {
			ys.Set(i, j, 0.02*rng.NormFloat64()+0.001*float64(j))
			yTrue.Set(0, j, 0.02*rng.NormFloat64())
		}
	}
	norm := map[float64]float64{}
	for _, smooth := range []float64{-1, 0} {
		r, err := newDecisionRule(pf, DecisionPerX, GradientsExact, smooth)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := r.solve(context.Background(), ys, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		sens, err := dec.differentiate(context.Background(), dec.upstream(yTrue), solver.WantAll)
		if err != nil {
			t.Fatal(err)
		}
		norm[smooth] = mat.Norm(sens.dy, 2)
	}
	if norm[0] != 0 || !(norm[-1] > 0) {
		t.Errorf("‖dL/dY‖ = %g with the default smoothing and %g exact; want > 0 and 0", norm[-1], norm[0])
	}
}
