package model_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
)

func ExampleSchedule_Timesteps() {
	ts, _ := model.DefaultSchedule().Timesteps(5)
	fmt.Println(ts)
	// Output: [999 749 500 250 0]
}

func ExampleLossSecondMoment() {
	s, _ := model.NewLossSecondMoment(4, 2, 0)
	fmt.Println(s.Warm(), s.Probs())
	// Two losses per timestep warm it up; p_t ∝ √(mean ℓ_t²).
	s.Update([]int{0, 1, 2, 3, 0, 1, 2, 3}, []float64{1, 1, 2, 4, 1, 1, 2, 4})
	fmt.Println(s.Warm(), s.Probs())
	_, w := s.Draw(1, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(len(w))
	// Output:
	// false [0.25 0.25 0.25 0.25]
	// true [0.125 0.125 0.25 0.5]
	// 1
}

// Both decision-focused estimators on B = 4 contexts with M = 25 samples
// each. The upstream gradients and weights would come from the solver.
func ExampleDiffusion() {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 2, XDim: 3, Hidden: 16, Blocks: 2}, rng)
	d := model.NewDiffusion(net, model.DefaultSchedule())
	x := nn.NewMatrix(4, 3)

	// Score function: detached samples, then ∇θ (1/M)·Σ_j w_j·ELBO_j.
	y, _ := d.Sample(ctx, x, 25, model.Sampler{Steps: 20}, rng)
	w := make([]float64, y.Rows) // w_j from the solver
	_, _ = d.ScoreFunction(ctx, y, x, w, model.ScoreFunction{K: 10, Scale: 1.0 / 25}, rng)

	// Reparameterization: a differentiable chain, then dL/dy_j per sample.
	ch, _ := d.SampleReparam(ctx, x, 25, model.Reparam{Sampler: model.Sampler{Steps: 20}, Checkpoint: 5}, rng)
	dY := nn.NewMatrix(ch.Samples().Rows, 2) // dL/dy_j from the solver
	_ = ch.Backward(ctx, dY)

	fmt.Println(y.Rows, "samples; row 26 is sample 1 of context", 26/25)
	// Output: 100 samples; row 26 is sample 1 of context 1
}
