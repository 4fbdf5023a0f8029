package model

import (
	"fmt"
	"math"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Output transforms of a policy network.
const (
	OutputNone    = "none"    // z is the network's output (synthetic, power)
	OutputSoftmax = "softmax" // z = softmax(output), on the simplex (portfolio)
)

// Policy is the policy-learning baseline: a network that outputs the decision
// z(x) directly (synthetic.md §6; reference Linear–ReLU–Linear–ReLU–Linear),
// optionally through a softmax. A feasible-set projection, when wanted, is
// applied by the caller on z (its VJP comes from package solver).
type Policy struct {
	Net    nn.Module
	Config PolicyConfig
}

// Params lists the network's parameters.
func (p *Policy) Params() []*nn.Param { return p.Net.Params() }

// Forward returns the decisions z for each row of x.
func (p *Policy) Forward(x *nn.Matrix, tape *nn.Tape) *nn.Matrix {
	out := p.Net.Forward(x, tape)
	switch p.Config.Output {
	case OutputNone, "":
		return out
	case OutputSoftmax:
		z := softmaxRows(out)
		if tape != nil {
			tape.Push(z.Clone())
		}
		return z
	}
	panic(fmt.Sprintf("model: policy output transform %q", p.Config.Output))
}

// Backward pops one Forward and adds dL/dθ for dZ = dL/dz into the
// parameters' G. Through the softmax, dL/dlogits = z ⊙ (dZ − ⟨dZ, z⟩).
func (p *Policy) Backward(tape *nn.Tape, dZ *nn.Matrix) {
	if p.Config.Output == OutputSoftmax {
		z := tape.Pop().(*nn.Matrix)
		checkShape("dL/dz", dZ, z.Rows, z.Cols)
		d := nn.NewMatrix(z.Rows, z.Cols)
		for i := 0; i < z.Rows; i++ {
			zr, gr, dr := z.Row(i), dZ.Row(i), d.Row(i)
			var dot float64
			for k := range zr {
				dot += float64(zr[k]) * float64(gr[k])
			}
			for k := range zr {
				dr[k] = float32(float64(zr[k]) * (float64(gr[k]) - dot))
			}
		}
		dZ = d
	}
	p.Net.Backward(tape, dZ)
}

// softmaxRows returns the row-wise softmax, computed in float64 after
// subtracting each row's maximum.
func softmaxRows(m *nn.Matrix) *nn.Matrix {
	out := nn.NewMatrix(m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		r, o := m.Row(i), out.Row(i)
		mx := math.Inf(-1)
		for _, v := range r {
			mx = math.Max(mx, float64(v))
		}
		var s float64
		e := make([]float64, len(r))
		for k, v := range r {
			e[k] = math.Exp(float64(v) - mx)
			s += e[k]
		}
		for k := range o {
			o[k] = float32(e[k] / s)
		}
	}
	return out
}
