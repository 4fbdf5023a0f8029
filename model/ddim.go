package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Sampler configures DDIM sampling (Song et al. 2021; synthetic.md §3,
// sample_elbo).
type Sampler struct {
	// Steps is the number S of network evaluations, on the strided timestep
	// subsequence of Timesteps. 0 means T, which reproduces the reference.
	Steps int
	// Eta is η ∈ [0, 1]: 0 is deterministic DDIM (power, portfolio), the
	// synthetic task uses 0.8, and 1 matches DDPM's posterior variance.
	Eta float64
}

// step is one update y ← A·y + B·ε̂(y, T, x) + Sigma·z with z ~ N(0, I).
type step struct {
	T        int
	A, B     float64
	Sigma    float64
	AlphaBar float64 // ᾱ_t, kept for x̂₀ in tests and traces
}

// Timesteps returns the S timesteps the sampler visits, in decreasing order:
// τ_i = round(i·(T−1)/(S−1)) for i = S−1..0, so both T−1 and 0 are always
// visited and S = T gives T−1, …, 0 exactly.
func (s *Schedule) Timesteps(S int) ([]int, error) {
	if S < 1 || S > s.T {
		return nil, fmt.Errorf("%w: %d sampling steps, want 1..T = %d", ErrConfig, S, s.T)
	}
	ts := make([]int, S)
	if S == 1 {
		ts[0] = s.T - 1
		return ts, nil
	}
	for i := 0; i < S; i++ {
		// Integer round-half-up of i(T−1)/(S−1); distinct because T−1 ≥ S−1.
		ts[S-1-i] = (2*i*(s.T-1) + (S - 1)) / (2 * (S - 1))
	}
	return ts, nil
}

// plan returns the DDIM steps of sampler cfg. With ᾱ = ᾱ_τ and ᾱ_p the ᾱ of
// the next visited timestep (1 after τ = 0), synthetic.md §3 gives
//
//	x̂₀ = (y − √(1−ᾱ)·ε̂)/√ᾱ
//	σ  = η·√((1−ᾱ_p)/(1−ᾱ))·√(1−ᾱ/ᾱ_p)
//	y' = √ᾱ_p·x̂₀ + √(1−ᾱ_p−σ²)·ε̂ + σ·z,
//
// so A = √(ᾱ_p/ᾱ) and B = √(1−ᾱ_p−σ²) − √(ᾱ_p(1−ᾱ)/ᾱ). The last step has
// ᾱ_p = 1, σ = 0 and returns x̂₀.
func (d *Diffusion) plan(cfg Sampler) ([]step, error) {
	S := cfg.Steps
	if S == 0 {
		S = d.Sched.T
	}
	if !(cfg.Eta >= 0 && cfg.Eta <= 1) {
		return nil, fmt.Errorf("%w: DDIM η = %g, want 0 ≤ η ≤ 1", ErrConfig, cfg.Eta)
	}
	ts, err := d.Sched.Timesteps(S)
	if err != nil {
		return nil, err
	}
	steps := make([]step, len(ts))
	for i, t := range ts {
		ab, abp := d.Sched.AlphaBar[t], 1.0
		if i+1 < len(ts) {
			abp = d.Sched.AlphaBar[ts[i+1]]
		}
		sigma := cfg.Eta * math.Sqrt((1-abp)/(1-ab)*(1-ab/abp))
		steps[i] = step{
			T:        t,
			A:        math.Sqrt(abp / ab),
			B:        math.Sqrt(math.Max(1-abp-sigma*sigma, 0)) - math.Sqrt(abp*(1-ab)/ab),
			Sigma:    sigma,
			AlphaBar: ab,
		}
	}
	return steps, nil
}

// ddpmPlan returns DDPM ancestral sampling over all T steps (Ho et al. 2020):
// y' = (y − β_t/√(1−ᾱ_t)·ε̂)/√α_t + σ_t·z with the posterior variance
// σ_t² = β_t(1−ᾱ_{t−1})/(1−ᾱ_t), which is 0 at t = 0 (the output is x̂₀).
func (d *Diffusion) ddpmPlan() []step {
	s := d.Sched
	steps := make([]step, s.T)
	for i := range steps {
		t := s.T - 1 - i
		steps[i] = step{
			T:        t,
			A:        1 / math.Sqrt(s.Alpha[t]),
			B:        -s.Beta[t] / (math.Sqrt(s.Alpha[t]) * math.Sqrt(1-s.AlphaBar[t])),
			Sigma:    math.Sqrt(s.Beta[t] * (1 - s.AlphaBarPrev[t]) / (1 - s.AlphaBar[t])),
			AlphaBar: s.AlphaBar[t],
		}
	}
	return steps
}

// apply computes y ← A·y + B·ε̂ + Sigma·z in place (z nil when Sigma = 0).
func (st step) apply(y, eps, z *nn.Matrix) {
	a, b, s := float32(st.A), float32(st.B), float32(st.Sigma)
	if z == nil {
		for i, e := range eps.Data {
			y.Data[i] = a*y.Data[i] + b*e
		}
		return
	}
	for i, e := range eps.Data {
		y.Data[i] = a*y.Data[i] + b*e + s*z.Data[i]
	}
}

// Sample draws m samples per context row of x with DDIM (no gradient, no
// tape). Row b·m + j of the result is sample j of context b. The random
// draws, in order: y_T for all rows, then the noise of each step with σ > 0.
func (d *Diffusion) Sample(ctx context.Context, x *nn.Matrix, m int, cfg Sampler, rng *rand.Rand) (*nn.Matrix, error) {
	steps, err := d.plan(cfg)
	if err != nil {
		return nil, err
	}
	return d.run(ctx, x, m, steps, rng)
}

// SampleDDPM draws m samples per context row of x by DDPM ancestral sampling
// over all T steps (the reference's unused p_sample); row order as Sample.
func (d *Diffusion) SampleDDPM(ctx context.Context, x *nn.Matrix, m int, rng *rand.Rand) (*nn.Matrix, error) {
	return d.run(ctx, x, m, d.ddpmPlan(), rng)
}

func (d *Diffusion) run(ctx context.Context, x *nn.Matrix, m int, steps []step, rng *rand.Rand) (*nn.Matrix, error) {
	checkShape("x", x, x.Rows, d.Net.XDim())
	xr := d.netContexts(x, m)
	y := nn.NewMatrix(x.Rows*m, d.Net.YDim())
	fillNormal(y.Data, rng)
	ts := make([]int, y.Rows)
	var z *nn.Matrix
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fillInts(ts, st.T)
		eps := d.Net.Forward(y, ts, xr, nil)
		zs := d.noise(st, &z, y.Rows, rng)
		st.apply(y, eps, zs)
	}
	if !finite(y.Data) {
		return nil, fmt.Errorf("%w: DDIM samples are not finite", ErrNumeric)
	}
	return y, nil
}

// noise draws a step's z into *buf (allocated once) when the step has σ > 0,
// and returns nil otherwise so that deterministic steps consume no draws.
func (d *Diffusion) noise(st step, buf **nn.Matrix, rows int, rng *rand.Rand) *nn.Matrix {
	if st.Sigma == 0 {
		return nil
	}
	if *buf == nil {
		*buf = nn.NewMatrix(rows, d.Net.YDim())
	}
	fillNormal((*buf).Data, rng)
	return *buf
}

func fillInts(dst []int, v int) {
	for i := range dst {
		dst[i] = v
	}
}
