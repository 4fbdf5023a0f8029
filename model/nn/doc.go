// Package nn holds small neural networks with hand-written backward passes:
// float32 matrices, layers (Linear, LayerNorm, SiLU, ReLU, the sinusoidal time
// embedding), MLPs, the conditional denoiser of the Diffusion-DFL paper, and
// the Adam and AdamW optimizers.
package nn
