package stages

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/solver"
)

// sfProbe is one score-function configuration of the gradient diagnostic.
type sfProbe struct {
	k          int
	importance bool
	shared     bool
	centered   bool
}

// probeBatch is a batch of samples drawn by one sampler with everything both
// estimators need: the samples (model units), the score-function weights
// and their scale, and the reparameterization gradient of the same samples.
type probeBatch struct {
	u       *nn.Matrix
	weights []float64
	scale   float64
	group   int       // samples per stochastic program (M, or B·M pooled)
	rp      []float32 // ∇_θ of the batch task loss through the sampling chain
	sumFrac float64   // mean over programs of |Σ_j w_j| / Σ_j |w_j|
}

// gradProbe computes the two estimators' gradients for one diffusion model.
type gradProbe struct {
	t       *task
	d       *model.Diffusion
	norm    *yNorm
	rule    *decisionRule
	m       int
	variant string // importance_variant
	ps      []*nn.Param
}

// draw samples the batch b with sampler s through a differentiable chain,
// solves and differentiates the programs, and back-propagates the RP
// gradient; the chain is checkpointed every ckpt steps (0 = not).
func (g *gradProbe) draw(ctx context.Context, b *split, s model.Sampler, ckpt int, rng *rand.Rand) (*probeBatch, error) {
	chain, err := g.d.SampleReparam(ctx, b.x, g.m, model.Reparam{Sampler: s, Checkpoint: ckpt}, rng)
	if err != nil {
		return nil, err
	}
	u := chain.Samples().Clone()
	dec, err := g.rule.solve(ctx, g.norm.toRaw(u), b.n(), g.m)
	if err != nil {
		return nil, err
	}
	sens, err := dec.differentiate(ctx, dec.upstream(b.y), solver.WantAll)
	if err != nil {
		return nil, err
	}
	nn.ZeroGrad(g.ps)
	if err := chain.Backward(ctx, g.norm.gradToModel(sens.dy)); err != nil {
		return nil, err
	}
	pb := &probeBatch{u: u, weights: sens.weights, scale: sens.scale, group: g.m, rp: nn.SnapshotGrads(g.ps, nil)}
	if g.rule.pooled {
		pb.group = len(sens.weights)
	}
	pb.sumFrac = weightSumFraction(pb.weights, pb.group)
	return pb, nil
}

// weightSumFraction is the mean over groups of |Σ w| / Σ |w|: 0 when every
// program's weights already sum to zero, 1 when they all share one sign.
func weightSumFraction(w []float64, group int) float64 {
	var frac float64
	for lo := 0; lo < len(w); lo += group {
		var s, a float64
		for _, v := range w[lo : lo+group] {
			s += v
			a += math.Abs(v)
		}
		if a > 0 {
			frac += math.Abs(s) / a
		}
	}
	return frac / float64(len(w)/group)
}

// warmSampler returns an importance sampler whose every timestep has a
// full history, filled with the ELBO losses of the batch's samples at
// uniform timesteps (zero weights: no gradient is kept), as training fills
// it with the losses of its own score-function passes.
func (g *gradProbe) warmSampler(ctx context.Context, b *split, pb *probeBatch, rng *rand.Rand) (*model.LossSecondMoment, error) {
	u := 1e-4
	if g.variant == ImportanceSelfNormal {
		u = 1e-3
	}
	s, err := model.NewLossSecondMoment(g.d.Sched.T, 10, u)
	if err != nil {
		return nil, err
	}
	zero := make([]float64, len(pb.weights))
	// About 2·T·History draws a pass, so that a few passes fill every
	// timestep's history whatever the batch size.
	k := max(10, (2*s.T*s.History+len(zero)-1)/len(zero))
	for pass := 0; !s.Warm(); pass++ {
		if pass == 100 {
			return nil, fmt.Errorf("%w: importance sampler not warm after %d passes", ErrNumeric, pass)
		}
		if _, err := g.d.ScoreFunction(ctx, pb.u, b.x, zero, model.ScoreFunction{K: k, Scale: 1, Sampler: s}, rng); err != nil {
			return nil, err
		}
	}
	nn.ZeroGrad(g.ps)
	return s, nil
}

// sfGrad returns the score-function gradient of configuration c on the
// batch's samples, with its own draws from rng and a copy of the warm
// sampler.
func (g *gradProbe) sfGrad(ctx context.Context, b *split, pb *probeBatch, c sfProbe, warm *model.LossSecondMoment, rng *rand.Rand) ([]float32, error) {
	cfg := model.ScoreFunction{K: c.k, Scale: pb.scale}
	if c.shared {
		cfg.Shared = g.m
	}
	if c.importance {
		cfg.Sampler, cfg.SelfNormalize = warm.Clone(), g.variant == ImportanceSelfNormal
	}
	w := pb.weights
	if c.centered {
		w = model.CenterWeights(w, pb.group)
	}
	nn.ZeroGrad(g.ps)
	if _, err := g.d.ScoreFunction(ctx, pb.u, b.x, w, cfg, rng); err != nil {
		return nil, err
	}
	return nn.SnapshotGrads(g.ps, nil), nil
}

// cosine is aᵀb/(‖a‖‖b‖), NaN when either vector is zero.
func cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("stages: cosine of %d and %d entries", len(a), len(b)))
	}
	var ab, aa, bb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return math.NaN()
	}
	return ab / math.Sqrt(aa*bb)
}

// norm2 is the Euclidean norm of g.
func norm2(g []float32) float64 {
	var s float64
	for _, v := range g {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

// meanGrad is (a + b)/2.
func meanGrad(a, b []float32) []float32 {
	out := make([]float32, len(a))
	for i := range a {
		out[i] = (a[i] + b[i]) / 2
	}
	return out
}
