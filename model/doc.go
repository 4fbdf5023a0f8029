// Package model learns distributions of y given x and turns a decision-cost
// signal into parameter gradients: the conditional diffusion model (schedule,
// noising, DDIM and DDPM sampling), Gaussian and point predictors, the policy
// network, and the two decision-focused gradient estimators of the paper
// (score function with timestep importance sampling, and reparameterization
// through the sampling chain).
package model
