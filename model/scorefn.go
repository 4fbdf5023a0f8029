package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// DefaultChunk is the number of network rows per forward/backward call of
// the score-function surrogate: it bounds the estimator's memory whatever
// the number of samples, timesteps or sampling steps. At the power shape
// (h = 256) 512 rows hold ≈ 4 MiB of activations and ran no slower than
// 4096 rows (≈ 28 MiB) in BenchmarkScoreFunction, with OpenBLAS or gonum.
const DefaultChunk = 512

// ScoreFunction configures the score-function estimator (synthetic.md §4,
// power.md §4). Given detached samples y_j of contexts x_j and decision
// weights w_j (from the solver: w_j = −[dL/dz; 0]ᵀK⁻¹[∇_z f(y_j, z*); 0]),
// it accumulates ∇_θ of the surrogate
//
//	L_SF = Scale · Σ_j w_j · ELBO_j,   ELBO_j = −Σ_k c_jk·‖ε_jk − ε̂(√ᾱ_t y_j + √(1−ᾱ_t) ε_jk, t_jk, x_j)‖²
//
// with K timesteps t_jk per sample and coefficients c_jk: 1/K for uniform
// timesteps, weight_jk/K with the importance sampler, and the self-normalised
// weights of SelfNormalize. ELBO_j stands in for log p_θ(y_j | x_j), so
// dL/dθ ≈ (1/M)·Σ_j w_j ∇_θ log p_θ(y_j | x_j) needs Scale = 1/M for M
// samples per context; the reference uses 1/S (synthetic) or 1/(B·M)
// (power, a mean over rows).
type ScoreFunction struct {
	// K is the number of timesteps per sample (reference: 1000 synthetic,
	// 100 power, 10 with importance sampling).
	K int
	// Scale is the factor c in front of the sum; it must be nonzero.
	Scale float64
	// Chunk is the largest number of rows per network call; 0 means
	// DefaultChunk. Calls hold whole groups of rows that share a context,
	// so they may hold fewer (see sfGrouping).
	Chunk int
	// Sampler, when non-nil, draws the timesteps by importance (and is
	// updated with the losses seen); nil draws t ~ U{0..T−1}.
	Sampler *LossSecondMoment
	// SelfNormalize selects the power task's variant of importance sampling
	// (power.md §4): weights normalised by their mean over all draws,
	// clipped at their 0.95 quantile, ELBO_j = −Σ_k w_k ℓ_k/(Σ_k w_k + 1e−12)
	// and the sampler's u adapted to the effective sample size. Needs Sampler.
	SelfNormalize bool
	// Shared, when > 1, draws the timesteps and noise of the ELBO once per
	// group of Shared consecutive samples (common random numbers): sample j
	// uses the draws of group ⌊j/Shared⌋. With Shared = M (the samples of
	// one context) the surrogate stays unbiased — each ELBO_j keeps its own
	// expectation — while the weighted differences Σ_j w_j ELBO_j, which is
	// all the gradient sees when the weights of a context sum to about zero,
	// lose the noise the samples share. The reference draws independently
	// (Shared ≤ 1). The number of samples must be a multiple of Shared.
	Shared int
}

// SFResult reports one score-function pass.
type SFResult struct {
	Surrogate float64   // L_SF = Scale·Σ_j w_j·ELBO_j
	ELBO      []float64 // ELBO_j per sample
	ESS       float64   // effective sample size of the timestep weights
	TapeBytes int64     // peak activation storage of the chunk tape
}

// ScoreFunction adds ∇_θ L_SF (see the type ScoreFunction) into the network
// parameters' G. y holds one detached sample per row; x holds one context
// per sample or one per context with row b·m + j of y ↔ row b of x. The
// random draws come from rng: all N·K timesteps first (sample-major:
// row j·K + k), then ε row by row, so results do not depend on the chunk
// size except through floating-point summation order.
func (d *Diffusion) ScoreFunction(ctx context.Context, y, x *nn.Matrix, w []float64, cfg ScoreFunction, rng *rand.Rand) (SFResult, error) {
	n := y.Rows
	if err := cfg.check(); err != nil {
		return SFResult{}, err
	}
	checkShape("y", y, n, d.Net.YDim())
	checkContexts("score function", x, n, d.Net.XDim())
	if len(w) != n {
		panic(fmt.Sprintf("model: score function: %d weights for %d samples", len(w), n))
	}
	for j, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return SFResult{}, fmt.Errorf("%w: score-function weight w[%d] = %g", ErrNumeric, j, v)
		}
	}
	if !finite(y.Data) {
		// Checked before any chunk runs, so the parameters' G stay untouched.
		return SFResult{}, fmt.Errorf("%w: score function: a sample holds NaN or Inf", ErrNumeric)
	}
	ts, coef, ess := d.timesteps(n, cfg, rng)
	drawn := ts // one row per independent (t, ε) draw
	var shared *nn.Matrix
	if cfg.Shared > 1 {
		if n%cfg.Shared != 0 {
			panic(fmt.Sprintf("model: score function: %d samples are not groups of Shared = %d", n, cfg.Shared))
		}
		ts, coef = expandGroups(ts, cfg.K, cfg.Shared), expandGroups(coef, cfg.K, cfg.Shared)
		shared = nn.NewMatrix(n/cfg.Shared*cfg.K, d.Net.YDim())
		fillNormal(shared.Data, rng)
	}
	losses := make([]float64, len(ts))
	res := SFResult{ELBO: make([]float64, n), ESS: ess}
	chunk := cfg.Chunk
	if chunk == 0 {
		chunk = DefaultChunk
	}
	chunk, group := d.sfGrouping(chunk, cfg.K*(n/x.Rows))
	buf := newSFChunk(chunk, group, d.Net.YDim(), d.Net.XDim())
	for lo := 0; lo < len(ts); lo += chunk {
		if err := ctx.Err(); err != nil {
			return SFResult{}, err
		}
		hi := min(lo+chunk, len(ts))
		d.sfChunk(buf, y, x, w, ts, coef, losses, lo, hi, cfg, shared, rng)
	}
	res.TapeBytes = buf.peak
	for r, l := range losses {
		res.ELBO[r/cfg.K] -= coef[r] * l
	}
	for j, e := range res.ELBO {
		res.Surrogate += cfg.Scale * w[j] * e
	}
	if math.IsNaN(res.Surrogate) || math.IsInf(res.Surrogate, 0) {
		return SFResult{}, fmt.Errorf("%w: score-function surrogate %g", ErrNumeric, res.Surrogate)
	}
	if cfg.Sampler != nil {
		if cfg.Shared > 1 {
			// One history entry per independent draw, not Shared copies of it.
			cfg.Sampler.Update(drawn, groupRMS(losses, cfg.K, cfg.Shared))
		} else {
			cfg.Sampler.Update(ts, losses)
		}
		if cfg.SelfNormalize {
			cfg.Sampler.adapt(ess, len(ts)/max(cfg.Shared, 1))
		}
	}
	return res, nil
}

func (cfg ScoreFunction) check() error {
	switch {
	case cfg.K < 1:
		return fmt.Errorf("%w: score function K = %d timesteps per sample, want ≥ 1", ErrConfig, cfg.K)
	case cfg.Scale == 0 || math.IsNaN(cfg.Scale) || math.IsInf(cfg.Scale, 0):
		return fmt.Errorf("%w: score function Scale = %g, want finite and nonzero", ErrConfig, cfg.Scale)
	case cfg.Chunk < 0:
		return fmt.Errorf("%w: score function Chunk = %d, want ≥ 0", ErrConfig, cfg.Chunk)
	case cfg.Shared < 0:
		return fmt.Errorf("%w: score function Shared = %d, want ≥ 0", ErrConfig, cfg.Shared)
	case cfg.SelfNormalize && cfg.Sampler == nil:
		return fmt.Errorf("%w: score function SelfNormalize needs a timestep Sampler", ErrConfig)
	}
	return nil
}

// expandGroups repeats the K draws of each group for its shared samples:
// row (g·shared + i)·K + k of the result is row g·K + k of v.
func expandGroups[T any](v []T, k, shared int) []T {
	out := make([]T, 0, len(v)*shared)
	for g := 0; g < len(v)/k; g++ {
		for range shared {
			out = append(out, v[g*k:(g+1)*k]...)
		}
	}
	return out
}

// groupRMS folds the losses of samples that shared one draw into one value
// per draw, the inverse layout of expandGroups: entry g·K + k is
// √(mean_i ℓ²) over the rows (g·shared + i)·K + k. The importance sampler
// estimates E[ℓ_t²], so the root of the group's mean square keeps that
// target while its history holds independent draws.
func groupRMS(losses []float64, k, shared int) []float64 {
	out := make([]float64, len(losses)/shared)
	for g := 0; g < len(out)/k; g++ {
		for i := range shared {
			for kk := range k {
				l := losses[(g*shared+i)*k+kk]
				out[g*k+kk] += l * l / float64(shared)
			}
		}
	}
	for i, v := range out {
		out[i] = math.Sqrt(v)
	}
	return out
}

// timesteps draws the timesteps (row j·K + k; one row per group of
// cfg.Shared samples when they share draws) and the coefficients c_jk with
// ELBO_j = −Σ_k c_jk ℓ_jk, and returns the weights' effective sample size.
func (d *Diffusion) timesteps(n int, cfg ScoreFunction, rng *rand.Rand) (ts []int, coef []float64, ess float64) {
	if cfg.Shared > 1 {
		n /= cfg.Shared
	}
	rows := n * cfg.K
	if cfg.Sampler == nil {
		ts = make([]int, rows)
		coef = make([]float64, rows)
		for r := range ts {
			ts[r] = rng.IntN(d.Sched.T)
			coef[r] = 1 / float64(cfg.K)
		}
		return ts, coef, float64(rows)
	}
	if cfg.Sampler.T != d.Sched.T {
		panic(fmt.Sprintf("model: importance sampler over %d timesteps for a schedule of %d", cfg.Sampler.T, d.Sched.T))
	}
	ts, coef = cfg.Sampler.Draw(rows, rng)
	if !cfg.SelfNormalize {
		var s1, s2 float64
		for r := range coef {
			s1 += coef[r]
			s2 += coef[r] * coef[r]
			coef[r] /= float64(cfg.K)
		}
		return ts, coef, s1 * s1 / (s2 + 1e-12)
	}
	ess = selfNormalize(coef)
	for j := 0; j < n; j++ {
		row := coef[j*cfg.K : (j+1)*cfg.K]
		var sum float64
		for _, v := range row {
			sum += v
		}
		for k := range row {
			row[k] /= sum + 1e-12
		}
	}
	return ts, coef, ess
}

// CenterWeights subtracts from the score-function weights w of each group
// of group consecutive samples (one stochastic program, M = group) their
// mean w̄. The uncentered ELBO proxy adds w̄·Σ_j ∇_θ ELBO(y_j), a term of
// the proxy alone (E[∇_θ ELBO(y)] ≠ 0, unlike E[∇_θ log p_θ(y)]);
// centering removes it. Because w̄ includes w_j, which depends on y_j, the
// centred estimator Σ_j (w_j − w̄)·∇_θ log p_θ(y_j) does not keep the
// expectation exactly: for independent y_j and w_j a function of y_j it
// has (M − 1)/M times the expectation of the uncentered one. It is the
// leave-one-out baseline, unbiased under the same assumptions, scaled by
// that constant: w_j − w̄ = (M − 1)/M · (w_j − mean_{i≠j} w_i).
// Training uses Adam, which a constant factor on the gradient leaves
// unchanged up to its ε, so the mean is kept (TestCenterWeightsLeaveOneOut).
func CenterWeights(w []float64, group int) []float64 {
	if group < 1 || len(w)%group != 0 {
		panic(fmt.Sprintf("model: center %d weights in groups of %d", len(w), group))
	}
	out := make([]float64, len(w))
	for lo := 0; lo < len(w); lo += group {
		var s float64
		for _, v := range w[lo : lo+group] {
			s += v
		}
		for j := lo; j < lo+group; j++ {
			out[j] = w[j] - s/float64(group)
		}
	}
	return out
}
