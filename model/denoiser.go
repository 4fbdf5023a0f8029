package model

import "github.com/diffusion-dfl/pipe/model/nn"

// EpsNet is a conditional noise-prediction network ε_θ(y_t, t, x)
// (spec synthetic.md §3). nn.Denoiser implements it.
type EpsNet interface {
	// Params lists the learnable parameters in a fixed order.
	Params() []*nn.Param
	// YDim and XDim are the widths of y and of the context x.
	YDim() int
	XDim() int
	// Forward predicts the noise for each row (y_t[i], t[i], x[i/G]). x has
	// one context row per row of y_t (G = 1) or one per group of
	// G = yt.Rows/x.Rows consecutive rows, x.Rows dividing yt.Rows: the
	// package passes M samples of each of B contexts (row b·M + j) with x
	// untiled, B rows. If tape is non-nil, what Backward needs is pushed
	// onto it.
	Forward(yt *nn.Matrix, t []int, x *nn.Matrix, tape *nn.Tape) *nn.Matrix
	// Backward pops one Forward's activations, adds dL/dθ into the parameters'
	// gradients and returns dL/dy_t for dEps = dL/dε̂.
	Backward(tape *nn.Tape, dEps *nn.Matrix) *nn.Matrix
}
