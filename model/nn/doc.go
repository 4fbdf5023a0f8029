// Package nn holds small neural networks with hand-written backward passes:
// float32 matrices, layers (Linear, LayerNorm, SiLU, ReLU, the sinusoidal
// time embedding), MLPs, the conditional denoiser of the Diffusion-DFL paper,
// the Adam and AdamW optimizers, gradient utilities and Arrow serialization
// of parameters.
//
// # Programming model
//
// A batch is a Matrix with one example per row. Module.Forward computes a
// layer's output and, given a Tape, pushes what its Backward needs;
// Backward pops it, adds dL/dθ into each Param's G and returns dL/dinput.
// A tape is last in, first out, so one tape can hold a whole chain of
// forward passes (every step of a sampling chain) that are then
// back-propagated in reverse order. Tape.Bytes and Tape.PeakBytes count the
// activation memory held. Gradients accumulate: callers zero them
// (ZeroGrad, Adam.ZeroGrad) between steps, and may snapshot them into flat
// buffers (SnapshotGrads) to combine several losses (MixGrads) before an
// optimizer step.
//
// Linear stores W as Out × In with y = x·Wᵀ + b, PyTorch's layout, and
// every layer starts from PyTorch's default initialization (W, b ~
// U(±1/√fan_in); LayerNorm γ = 1, β = 0), drawn from a *rand.Rand the
// caller passes in. There is no global state.
//
// # Precision
//
// Parameters, activations and gradients are float32, as in the reference
// (PyTorch trains these networks in float32): float32 matrix products are
// faster than float64 in both gonum's kernel and OpenBLAS (the README's
// Performance section has the measured ratio), and memory (which for the
// reparameterization estimator grows with the number of sampling steps)
// halves. Reductions where accuracy matters are
// accumulated in float64: LayerNorm moments, bias and LayerNorm parameter
// gradients (per-chunk float64 partial sums), gradient norms. Finite
// difference tests compare the float32 gradients with float64
// re-implementations of every forward pass.
//
// # Performance
//
// Every matrix product goes through gonum's blas32.Gemm, so a program that
// installs an optimized implementation (internal/openblas, blas32.Use)
// accelerates the networks without code changes. Products over many rows
// are split into fixed blocks of rows (of weight rows, for weight
// gradients) run on separate goroutines, so both cores work with a
// one-thread BLAS, which is the setting to use (PIPE_BLAS_THREADS=1):
// OpenBLAS's idle threads spin and slow down the goroutines of the row
// passes in between.
//
// The Denoiser, the hot path of the project, fuses bias, SiLU and LayerNorm
// into one sweep per row, keeps a tape record of only what backward cannot
// cheaply recompute, and reuses its scratch buffers and tape slabs between
// calls. Rows that share a context (M samples of each of B contexts) take
// one context row per group of consecutive rows, and the first layer's
// context part is then computed per context instead of per row, an exact
// factorization through the input LayerNorm. Row passes run over fixed
// chunks of rows, on the calling goroutine plus whatever idle cores they
// can borrow (package pipeline/cores: stages running side by side keep one
// core each); chunk boundaries depend only on the shape and reductions are
// summed in chunk order, so results are bit-identical for any number of workers (for a
// fixed BLAS and, with OpenBLAS, a fixed OpenBLAS thread count). The
// elementwise kernels (logistic function, LayerNorm moments and
// normalization, the fused LayerNorm/SiLU backward, Adam) run in AVX2+FMA
// assembly on amd64 CPUs that have it, and in Go elsewhere and on row tails;
// the two agree to float32 rounding and are tested against each other. As
// in gonum, the build tag noasm leaves the assembly out (pure Go only), and
// PIPE_NN_GO_KERNELS=1 selects the Go kernels at start without rebuilding;
// Kernels names the choice, which run records keep.
//
// Networks are not safe for concurrent use: parallelism is inside each call.
package nn
