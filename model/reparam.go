package model

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Reparam configures sampling for the reparameterization estimator
// (synthetic.md §5): DDIM with every step differentiable.
type Reparam struct {
	Sampler
	// Checkpoint, when positive, is the number of chain steps per segment for
	// gradient checkpointing: only y at each segment start is stored, and
	// Backward recomputes a segment's forward pass with a tape before
	// back-propagating through it. Peak memory falls from S steps of
	// activations to Checkpoint steps (plus S/Checkpoint start points) at the
	// cost of one extra forward pass; gradients are bit-identical. 0 keeps
	// every step's activations, as the reference does.
	Checkpoint int
}

// Chain is a batch of DDIM samples together with what back-propagation
// through the sampling chain needs: the noise of every step and either the
// network activations of every step (one tape) or the segment start points.
type Chain struct {
	d      *Diffusion
	steps  []step
	x      *nn.Matrix   // a copy of the contexts, as passed to the network
	noise  []*nn.Matrix // per step; nil where σ = 0
	tape   *nn.Tape     // every step's activations (no checkpointing)
	starts []*nn.Matrix // y entering each segment (checkpointing)
	seg    int
	y      *nn.Matrix
	used   bool
	peak   int64 // largest activation storage held by a tape so far
}

// SampleReparam draws m samples per context row of x like Sample (same row
// order and the same random draws, so equal seeds give equal samples) but
// keeps the chain differentiable for Chain.Backward.
func (d *Diffusion) SampleReparam(ctx context.Context, x *nn.Matrix, m int, cfg Reparam, rng *rand.Rand) (*Chain, error) {
	steps, err := d.plan(cfg.Sampler)
	if err != nil {
		return nil, err
	}
	if cfg.Checkpoint < 0 {
		return nil, fmt.Errorf("%w: checkpoint segment length %d, want ≥ 0", ErrConfig, cfg.Checkpoint)
	}
	checkShape("x", x, x.Rows, d.Net.XDim())
	c := &Chain{d: d, steps: steps, x: d.netContexts(x.Clone(), m), seg: cfg.Checkpoint}
	y := nn.NewMatrix(x.Rows*m, d.Net.YDim())
	fillNormal(y.Data, rng)
	if c.seg == 0 {
		c.tape = &nn.Tape{}
	}
	c.noise = make([]*nn.Matrix, len(steps))
	for i, st := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if c.seg > 0 && i%c.seg == 0 {
			c.starts = append(c.starts, y.Clone())
		}
		if st.Sigma > 0 {
			c.noise[i] = nn.NewMatrix(y.Rows, y.Cols)
			fillNormal(c.noise[i].Data, rng)
		}
		y = c.forward(i, y, c.tape)
	}
	if !finite(y.Data) {
		return nil, fmt.Errorf("%w: DDIM samples are not finite", ErrNumeric)
	}
	if c.tape != nil {
		c.peak = c.tape.PeakBytes()
	}
	c.y = y
	return c, nil
}

// forward runs step i on y and returns the new y in a fresh matrix (the
// network's tape may hold on to its input).
func (c *Chain) forward(i int, y *nn.Matrix, tape *nn.Tape) *nn.Matrix {
	st := c.steps[i]
	ts := make([]int, y.Rows)
	fillInts(ts, st.T)
	eps := c.d.Net.Forward(y, ts, c.x, tape)
	next := y.Clone()
	st.apply(next, eps, c.noise[i])
	return next
}

// TapeBytes is the peak activation storage held by the chain's tapes so far
// (package nn's accounting; segment start points and noise not included):
// S steps of network activations without checkpointing, one segment's with.
func (c *Chain) TapeBytes() int64 { return c.peak }

// Samples returns the drawn samples (row b·m + j ↔ sample j of context b).
// The caller must not modify them.
func (c *Chain) Samples() *nn.Matrix { return c.y }

// Backward back-propagates the per-sample upstream gradients dY = dL/dy
// (one row per sample) through every step of the chain and adds dL/dθ into
// the network parameters' G. Per step, with y' = A·y + B·ε̂(y) + σz,
// dL/dy = A·dL/dy' + (∂ε̂/∂y)ᵀ(B·dL/dy'). A chain can be back-propagated once.
func (c *Chain) Backward(ctx context.Context, dY *nn.Matrix) error {
	if c.used {
		panic("model: Chain.Backward called twice")
	}
	c.used = true
	checkShape("dL/dy", dY, c.y.Rows, c.y.Cols)
	if !finite(dY.Data) {
		return fmt.Errorf("%w: upstream gradient dL/dy is not finite", ErrNumeric)
	}
	g := dY.Clone()
	if c.seg == 0 {
		err := c.backSteps(ctx, len(c.steps)-1, 0, c.tape, g)
		c.tape = nil
		return err
	}
	for k := len(c.starts) - 1; k >= 0; k-- {
		lo, hi := k*c.seg, min((k+1)*c.seg, len(c.steps))
		tape := &nn.Tape{}
		y := c.starts[k]
		for i := lo; i < hi; i++ {
			y = c.forward(i, y, tape)
		}
		c.peak = max(c.peak, tape.PeakBytes())
		if err := c.backSteps(ctx, hi-1, lo, tape, g); err != nil {
			return err
		}
		c.starts[k] = nil
	}
	return nil
}

// backSteps back-propagates g through steps hi down to lo, whose activations
// are on tape, updating g in place to dL/dy entering step lo.
func (c *Chain) backSteps(ctx context.Context, hi, lo int, tape *nn.Tape, g *nn.Matrix) error {
	dEps := nn.NewMatrix(g.Rows, g.Cols)
	for i := hi; i >= lo; i-- {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, b := float32(c.steps[i].A), float32(c.steps[i].B)
		for j, v := range g.Data {
			dEps.Data[j] = b * v
		}
		gy := c.d.Net.Backward(tape, dEps)
		for j, v := range gy.Data {
			g.Data[j] = a*g.Data[j] + v
		}
	}
	return nil
}
