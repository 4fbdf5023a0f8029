package model

import (
	"fmt"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Point is the deterministic predictor ŷ(x) of the point-forecast baselines
// (synthetic.md §6, power.md §5): an MLP of x trained by MSE, or the
// reference's bias-only model (PointConfig.BiasOnly).
type Point struct {
	Net    nn.Module
	Config PointConfig
}

// Params lists the network's parameters.
func (p *Point) Params() []*nn.Param { return p.Net.Params() }

// Forward returns ŷ for each row of x.
func (p *Point) Forward(x *nn.Matrix, tape *nn.Tape) *nn.Matrix { return p.Net.Forward(x, tape) }

// Backward pops one Forward and adds dL/dθ for dYhat = dL/dŷ into the
// parameters' G.
func (p *Point) Backward(tape *nn.Tape, dYhat *nn.Matrix) { p.Net.Backward(tape, dYhat) }

// MSE returns mean over rows and dims of (ŷ(x) − y)² and adds scale·∇_θ of
// it into the parameters' G (scale = 0 only evaluates).
func (p *Point) MSE(x, y *nn.Matrix, scale float64) float64 {
	var tape *nn.Tape
	if scale != 0 {
		tape = &nn.Tape{}
	}
	pred := p.Forward(x, tape)
	checkShape("y", y, pred.Rows, pred.Cols)
	n := float64(len(pred.Data))
	d := nn.NewMatrix(pred.Rows, pred.Cols)
	var sum float64
	for i, v := range pred.Data {
		r := float64(v) - float64(y.Data[i])
		sum += r * r
		d.Data[i] = float32(2 * scale * r / n)
	}
	if tape != nil {
		p.Backward(tape, d)
	}
	return sum / n
}

// Bias is the reference's bias-only "MLP" (synthetic.md §8.7): a learned
// vector, initialised to 0, returned for every row whatever x is.
type Bias struct {
	B *nn.Param // 1 × YDim, named "bias"
}

// NewBias returns a zero bias of width ydim.
func NewBias(ydim int) *Bias {
	return &Bias{B: &nn.Param{Name: "bias", W: nn.NewMatrix(1, ydim), G: nn.NewMatrix(1, ydim)}}
}

// Params returns the bias.
func (b *Bias) Params() []*nn.Param { return []*nn.Param{b.B} }

// biasShape is what Bias.Forward leaves on the tape: the input's shape.
type biasShape struct{ rows, cols int }

// Forward returns x.Rows copies of the bias.
func (b *Bias) Forward(x *nn.Matrix, tape *nn.Tape) *nn.Matrix {
	out := nn.NewMatrix(x.Rows, b.B.W.Cols)
	for i := 0; i < x.Rows; i++ {
		copy(out.Row(i), b.B.W.Data)
	}
	if tape != nil {
		tape.Push(biasShape{x.Rows, x.Cols})
	}
	return out
}

// Backward adds the column sums of dy into the bias gradient and returns a
// zero dL/dx (the output does not depend on x).
func (b *Bias) Backward(tape *nn.Tape, dy *nn.Matrix) *nn.Matrix {
	s := tape.Pop().(biasShape)
	if dy.Rows != s.rows || dy.Cols != b.B.W.Cols {
		panic(fmt.Sprintf("model: Bias.Backward: dy is %d×%d, want %d×%d", dy.Rows, dy.Cols, s.rows, b.B.W.Cols))
	}
	for i := 0; i < dy.Rows; i++ {
		for k, v := range dy.Row(i) {
			b.B.G.Data[k] += v
		}
	}
	return nn.NewMatrix(s.rows, s.cols)
}
