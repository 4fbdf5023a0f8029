package stages

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/model"
)

// evalConfig is how a model is evaluated: R draws of M samples per context,
// the DDIM sampler of a diffusion model and the decision rule.
type evalConfig struct {
	m       int
	draws   int // R; values below 1 mean one draw
	sampler model.Sampler
	rule    *decisionRule
}

// drawOutcome is what one draw's decisions score on a split: the cost and
// (portfolio) the return in % of every unit, and the portfolio's risk
// figures (NaN for the other tasks).
type drawOutcome struct {
	costs, returns    []float64
	sharpe, effAssets float64
}

// evaluateSplit computes the metrics of one split. A sampling model draws
// all R·M samples per context in one batched call (samples j·… of context b
// at rows b·RM + j) and splits them into R independent draws of M, each
// solved and scored on its own: the split's figures are means over draws,
// with the Monte-Carlo standard error sd/√R of the task loss and return. A
// point model or policy is deterministic: one draw, zero Monte-Carlo error.
// With R = 1 the samples are those of the former single-draw evaluation.
func evaluateSplit(ctx context.Context, t *task, p *predictor, s *split, cfg evalConfig, rng *rand.Rand) (splitMetrics, error) {
	out := splitMetrics{split: s.name, n: s.n(), rmse: math.NaN(), rmseHourSum: math.NaN()}
	if p.policy != nil {
		z, err := p.decide(ctx, t, s.x)
		if err != nil {
			return out, err
		}
		out.m = 1
		out.setDraws([]drawOutcome{scoreDecisions(t, s.y, z)}, false)
		return out, nil
	}
	r := max(1, cfg.draws)
	ys, m, err := p.sample(ctx, s.x, cfg.m*r, cfg.sampler, rng)
	if err != nil {
		return out, err
	}
	stochastic := p.stochastic()
	if !stochastic {
		r = 1 // a point model predicted once: every draw would be the same
	} else {
		m = cfg.m
	}
	draws := make([]drawOutcome, r)
	for d := range draws {
		dec, err := cfg.rule.solve(ctx, drawRows(ys, s.n(), r, m, d), s.n(), m)
		if err != nil {
			return out, err
		}
		draws[d] = scoreDecisions(t, s.y, dec.z())
	}
	out.m = m
	out.setDraws(draws, stochastic)
	out.rmse, out.rmseHourSum = sampleRMSE(ys, s.y, r*m)
	if t.name != TaskPower {
		out.rmseHourSum = math.NaN()
	}
	if math.IsNaN(out.taskLoss) || math.IsInf(out.taskLoss, 0) {
		return out, fmt.Errorf("%w: %s task loss %g", ErrNumeric, s.name, out.taskLoss)
	}
	return out, nil
}

// drawRows returns draw d of r: the rows b·r·m + d·m + j (j < m) of every
// context b of samples drawn r·m per context, as n·m rows (b·m + j). With
// r = 1 it returns ys itself.
func drawRows(ys *mat.Dense, n, r, m, d int) *mat.Dense {
	if r == 1 {
		return ys
	}
	_, dims := ys.Dims()
	out := mat.NewDense(n*m, dims, nil)
	for b := 0; b < n; b++ {
		for j := 0; j < m; j++ {
			copy(out.RawRowView(b*m+j), ys.RawRowView(b*r*m+d*m+j))
		}
	}
	return out
}

// scoreDecisions scores decisions z (one per row of y, or one pooled) at
// the true targets y.
func scoreDecisions(t *task, y *mat.Dense, z [][]float64) drawOutcome {
	o := drawOutcome{costs: t.costs(y, z), sharpe: math.NaN(), effAssets: math.NaN()}
	if t.name == TaskPortfolio {
		o.returns = dailyReturnsPct(y, z)
		o.sharpe, o.effAssets = annualizedSharpe(o.returns), effectiveAssets(z, len(o.returns))
	}
	return o
}

// setDraws fills the split's figures from its draws: means over draws of
// the task loss, return, Sharpe ratio and effective number of assets, the
// Monte-Carlo standard errors sd/√R (ddof = 1) of the task loss and return
// (0 for a deterministic evaluation, NaN for a single stochastic draw), and
// each unit's cost and return averaged over draws.
func (out *splitMetrics) setDraws(draws []drawOutcome, stochastic bool) {
	r := len(draws)
	out.draws = r
	loss, ret, sharpe, eff := make([]float64, r), make([]float64, r), make([]float64, r), make([]float64, r)
	out.unitLoss = make([]float64, len(draws[0].costs))
	out.unitReturn = nanSlice(len(draws[0].costs))
	if draws[0].returns != nil {
		out.unitReturn = make([]float64, len(draws[0].returns))
	}
	for d, o := range draws {
		loss[d], ret[d], sharpe[d], eff[d] = mean(o.costs), math.NaN(), o.sharpe, o.effAssets
		if o.returns != nil {
			ret[d] = mean(o.returns)
		}
		for i, c := range o.costs {
			out.unitLoss[i] += c / float64(r)
			if o.returns != nil {
				out.unitReturn[i] += o.returns[i] / float64(r)
			}
		}
	}
	out.taskLoss, out.taskLossSE = meanAndMCError(loss, stochastic)
	out.returnPct, out.returnPctSE = meanAndMCError(ret, stochastic)
	out.sharpe, out.effAssets = mean(sharpe), mean(eff)
}

// meanAndMCError returns the mean of the per-draw values v and its
// Monte-Carlo standard error sd(v)/√R with ddof = 1: 0 when the evaluation
// is deterministic, NaN for a single stochastic draw or NaN values.
func meanAndMCError(v []float64, stochastic bool) (float64, float64) {
	mu, sd := seedMeanStd(v)
	switch {
	case math.IsNaN(mu):
		return mu, math.NaN()
	case !stochastic:
		return mu, 0
	}
	return mu, sd / math.Sqrt(float64(len(v)))
}

// nanSlice returns n NaN values.
func nanSlice(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}
