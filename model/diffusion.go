package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Diffusion is a conditional DDPM p_θ(y | x): a noise-prediction network and
// its noise schedule (synthetic.md §3). Its methods train it (Loss,
// PretrainEpoch), sample from it (Sample, SampleDDPM, SampleReparam) and turn
// per-sample decision weights into parameter gradients (ScoreFunction).
type Diffusion struct {
	Net   EpsNet
	Sched *Schedule
	// tileContexts passes x tiled to one row per sample (RepeatRows)
	// instead of one row per group of rows sharing a context (see
	// contexts.go): the behaviour before nn.Denoiser factored its first
	// layer, which tests and benchmarks compare with.
	tileContexts bool
}

// NewDiffusion pairs a network with a schedule.
func NewDiffusion(net EpsNet, sched *Schedule) *Diffusion {
	return &Diffusion{Net: net, Sched: sched}
}

// Noise returns the forward-noised rows y_t = √ᾱ_t·y₀ + √(1−ᾱ_t)·ε, with
// t[i] and ε's row i for row i (synthetic.md §3, q_sample).
func (s *Schedule) Noise(y0 *nn.Matrix, t []int, eps *nn.Matrix) *nn.Matrix {
	checkShape("ε", eps, y0.Rows, y0.Cols)
	if len(t) != y0.Rows {
		panic(fmt.Sprintf("model: Noise: %d timesteps for %d rows", len(t), y0.Rows))
	}
	out := nn.NewMatrix(y0.Rows, y0.Cols)
	for i, ti := range t {
		s.checkT(ti)
		a, b := float32(math.Sqrt(s.AlphaBar[ti])), float32(math.Sqrt(1-s.AlphaBar[ti]))
		y, e, o := y0.Row(i), eps.Row(i), out.Row(i)
		for d := range o {
			o[d] = a*y[d] + b*e[d]
		}
	}
	return out
}

// Loss draws one t ~ U{0..T−1} per row and ε ~ N(0, I) from rng (all t
// first, then ε row by row) and returns the reference's pretraining loss
// mean_{i,d}(ε − ε̂(y_t, t, x))² (synthetic.md §3, diffusion_loss). It adds
// scale·∇_θ loss into the parameters' G; scale = 0 only evaluates (no tape).
// x holds one context per row of y0 or per group of rows (see LossAt).
func (d *Diffusion) Loss(y0, x *nn.Matrix, scale float64, rng *rand.Rand) float64 {
	t := make([]int, y0.Rows)
	for i := range t {
		t[i] = rng.IntN(d.Sched.T)
	}
	eps := nn.NewMatrix(y0.Rows, y0.Cols)
	fillNormal(eps.Data, rng)
	return d.LossAt(y0, x, t, eps, scale)
}

// LossAt is Loss with given timesteps and noise.
//
// x holds one context per row of y0, or one per group of y0.Rows/x.Rows
// consecutive rows (row i ↔ context i/(y0.Rows/x.Rows), as in EpsNet): rows
// that repeat a context (several noise draws per pair) need not tile it.
func (d *Diffusion) LossAt(y0, x *nn.Matrix, t []int, eps *nn.Matrix, scale float64) float64 {
	checkShape("y0", y0, y0.Rows, d.Net.YDim())
	if x.Rows != y0.Rows {
		checkContexts("loss", x, y0.Rows, d.Net.XDim())
		x = d.netContexts(x, y0.Rows/x.Rows)
	}
	yt := d.Sched.Noise(y0, t, eps)
	var tape *nn.Tape
	if scale != 0 {
		tape = &nn.Tape{}
	}
	pred := d.Net.Forward(yt, t, x, tape)
	n := float64(len(pred.Data))
	var sum float64
	var dEps *nn.Matrix
	if tape != nil {
		dEps = nn.NewMatrix(pred.Rows, pred.Cols)
	}
	// d/dε̂ mean (ε − ε̂)² = 2(ε̂ − ε)/n.
	g := 2 * scale / n
	for i, p := range pred.Data {
		r := float64(p) - float64(eps.Data[i])
		sum += r * r
		if dEps != nil {
			dEps.Data[i] = float32(g * r)
		}
	}
	if tape != nil {
		d.Net.Backward(tape, dEps)
	}
	return sum / n
}

// PretrainConfig sets up denoising pretraining (synthetic.md §3,
// pretrain_diffusion).
type PretrainConfig struct {
	// BatchSize is the number of rows per optimizer step (reference 512).
	BatchSize int
	// ShuffleY permutes y within each batch relative to x, as the reference
	// does ("y is random"): the network then learns p(y) with x as a
	// nuisance input. Off by default.
	ShuffleY bool
}

// PretrainEpoch runs one epoch of denoising training over the rows of (y, x)
// in a random order drawn from rng. For each batch it zeroes the gradients,
// accumulates ∇_θ of the batch loss and calls step (the optimizer update).
// It returns the row-weighted mean of the batch losses.
func (d *Diffusion) PretrainEpoch(ctx context.Context, y, x *nn.Matrix, cfg PretrainConfig, rng *rand.Rand, step func() error) (float64, error) {
	if cfg.BatchSize < 1 {
		return 0, fmt.Errorf("%w: pretraining batch size %d, want ≥ 1", ErrConfig, cfg.BatchSize)
	}
	checkShape("x", x, y.Rows, d.Net.XDim())
	order := rng.Perm(y.Rows)
	var total float64
	for lo := 0; lo < len(order); lo += cfg.BatchSize {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		idx := order[lo:min(lo+cfg.BatchSize, len(order))]
		yIdx := idx
		if cfg.ShuffleY {
			yIdx = make([]int, len(idx))
			for i, p := range rng.Perm(len(idx)) {
				yIdx[i] = idx[p]
			}
		}
		yb, xb := gatherRows(y, yIdx), gatherRows(x, idx)
		nn.ZeroGrad(d.Net.Params())
		loss := d.Loss(yb, xb, 1, rng)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return 0, fmt.Errorf("%w: pretraining loss %g at batch starting at row %d", ErrNumeric, loss, lo)
		}
		total += loss * float64(len(idx))
		if err := step(); err != nil {
			return 0, err
		}
	}
	return total / float64(y.Rows), nil
}

// gatherRows returns the rows idx of m, in that order.
func gatherRows(m *nn.Matrix, idx []int) *nn.Matrix {
	out := nn.NewMatrix(len(idx), m.Cols)
	for i, r := range idx {
		copy(out.Row(i), m.Row(r))
	}
	return out
}
