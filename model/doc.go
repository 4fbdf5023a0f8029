// Package model learns distributions of y given x and turns a decision-cost
// signal into parameter gradients: the conditional diffusion model (schedule,
// noising, DDIM and DDPM sampling), Gaussian and point predictors, the policy
// network, and the two decision-focused gradient estimators of the paper
// (score function with timestep importance sampling, and reparameterization
// through the sampling chain).
//
// # Programming model
//
// Networks are package nn's float32 modules; this package composes them and
// owns the probabilistic parts, computed in float64 where it matters
// (schedules, losses, weights, sums). Every Forward that will be
// differentiated records onto an nn.Tape and every Backward adds into the
// parameters' G: callers zero the gradients between optimizer steps, and an
// estimator's contribution is simply added to what is already there (for
// example the denoising loss's gradient, before the two are mixed).
//
// Samples are drawn for B contexts at once as one batch of B·M rows in
// context-major order: row b·M + j is sample j of context b (RepeatRows).
// The reference tiles sample-major (s·B + b); only the order differs.
// Functions that take detached samples accept x with one row per sample or
// one row per context. The network receives x untiled, one row per group of
// rows that share a context (EpsNet's convention), so that nn.Denoiser
// computes the context's share of its first layer once per context.
//
// # The two estimators
//
// Reparameterization (SampleReparam, then Chain.Backward with dL/dy per
// sample from the solver) back-propagates through every sampling step: exact,
// but the tape holds S steps of network activations for all rows. The
// Reparam.Checkpoint option keeps only segment start points and recomputes
// each segment during Backward; the gradient is bit-identical.
//
// Score function (Diffusion.ScoreFunction with weights w_j from the solver)
// never differentiates the sampler: it accumulates ∇_θ Scale·Σ_j w_j·ELBO_j,
// with the ELBO estimated at K timesteps per sample, drawn uniformly or by
// the LossSecondMoment importance sampler. Rows are processed in chunks of
// DefaultChunk with one reused tape, so memory does not grow with S, K or
// the number of samples.
//
// # Determinism
//
// Every random draw comes from a *rand.Rand passed in, consumed in a
// documented order; nothing here runs goroutines, and package nn's kernels
// give the same bits for any GOMAXPROCS, so results depend only on seeds.
package model
