package model

import (
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// fakeLayer is a small nn.Module with an exact backward pass, standing in for
// package nn's layers in predictor tests: y = act(x·Wᵀ + b), act = tanh or
// identity, computed in float64.
type fakeLayer struct {
	w, b *nn.Param
	tanh bool
}

func newFakeLayer(in, out int, tanh bool, rng *rand.Rand) *fakeLayer {
	p := func(name string, r, c int) *nn.Param {
		m := nn.NewMatrix(r, c)
		for i := range m.Data {
			m.Data[i] = float32((2*rng.Float64() - 1) / math.Sqrt(float64(in)))
		}
		return &nn.Param{Name: name, W: m, G: nn.NewMatrix(r, c)}
	}
	return &fakeLayer{w: p("weight", out, in), b: p("bias", 1, out), tanh: tanh}
}

func (l *fakeLayer) Params() []*nn.Param { return []*nn.Param{l.w, l.b} }

type fakeLayerSaved struct{ x, y *nn.Matrix }

func (l *fakeLayer) Forward(x *nn.Matrix, tape *nn.Tape) *nn.Matrix {
	out := nn.NewMatrix(x.Rows, l.w.W.Rows)
	for i := 0; i < x.Rows; i++ {
		for o := 0; o < out.Cols; o++ {
			s := float64(l.b.W.Data[o])
			for k, v := range x.Row(i) {
				s += float64(l.w.W.At(o, k)) * float64(v)
			}
			if l.tanh {
				s = math.Tanh(s)
			}
			out.Set(i, o, float32(s))
		}
	}
	if tape != nil {
		tape.Push(fakeLayerSaved{x.Clone(), out.Clone()})
	}
	return out
}

func (l *fakeLayer) Backward(tape *nn.Tape, dy *nn.Matrix) *nn.Matrix {
	s := tape.Pop().(fakeLayerSaved)
	dx := nn.NewMatrix(s.x.Rows, s.x.Cols)
	for i := 0; i < dy.Rows; i++ {
		for o := 0; o < dy.Cols; o++ {
			g := float64(dy.At(i, o))
			if l.tanh {
				y := float64(s.y.At(i, o))
				g *= 1 - y*y
			}
			l.b.G.Data[o] += float32(g)
			for k, v := range s.x.Row(i) {
				l.w.G.Data[o*s.x.Cols+k] += float32(g * float64(v))
				dx.Data[i*s.x.Cols+k] += float32(g * float64(l.w.W.At(o, k)))
			}
		}
	}
	return dx
}

// newFakeGaussian builds a Gaussian predictor from fake layers.
func newFakeGaussian(xdim, h, ydim int, rng *rand.Rand) *Gaussian {
	return &Gaussian{
		Trunk:  newFakeLayer(xdim, h, true, rng),
		Mu:     newFakeLayer(h, ydim, false, rng),
		LogVar: newFakeLayer(h, ydim, false, rng),
		Config: GaussianConfig{XDim: xdim, YDim: ydim, Hidden: []int{h}},
	}
}
