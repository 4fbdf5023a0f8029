package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// fakeNet is a small EpsNet with an exact backward pass, for testing the
// samplers and estimators independently of package nn's layers:
// ε̂ = W2·tanh(W1·[y_t, cos(t/50), sin(t/50), x] + b1) + b2, computed in
// float64 internally. Like nn.Denoiser it accepts one context row per
// group of consecutive rows.
type fakeNet struct {
	ydim, xdim, h  int
	w1, b1, w2, b2 *nn.Param
	forwards       int
	contextRows    []int // x.Rows of every Forward (one context per group of rows)
}

func newFakeNet(ydim, xdim, h int, rng *rand.Rand) *fakeNet {
	in := ydim + 2 + xdim
	p := func(name string, r, c int, scale float64) *nn.Param {
		w := nn.NewMatrix(r, c)
		for i := range w.Data {
			w.Data[i] = float32(scale * (2*rng.Float64() - 1))
		}
		return &nn.Param{Name: name, W: w, G: nn.NewMatrix(r, c)}
	}
	return &fakeNet{
		ydim: ydim, xdim: xdim, h: h,
		w1: p("w1", h, in, 1/math.Sqrt(float64(in))), b1: p("b1", 1, h, 0.3),
		w2: p("w2", ydim, h, 1/math.Sqrt(float64(h))), b2: p("b2", 1, ydim, 0.3),
	}
}

func (f *fakeNet) Params() []*nn.Param { return []*nn.Param{f.w1, f.b1, f.w2, f.b2} }
func (f *fakeNet) YDim() int           { return f.ydim }
func (f *fakeNet) XDim() int           { return f.xdim }

type fakeSaved struct {
	in, act []float64
	rows    int
}

func (f *fakeNet) Forward(yt *nn.Matrix, t []int, x *nn.Matrix, tape *nn.Tape) *nn.Matrix {
	f.forwards++
	n, in := yt.Rows, f.ydim+2+f.xdim
	if len(t) != n || yt.Cols != f.ydim || x.Cols != f.xdim || (n > 0 && (x.Rows == 0 || n%x.Rows != 0)) {
		panic("fakeNet: shape mismatch")
	}
	f.contextRows = append(f.contextRows, x.Rows)
	s := fakeSaved{in: make([]float64, n*in), act: make([]float64, n*f.h), rows: n}
	out := nn.NewMatrix(n, f.ydim)
	for i := 0; i < n; i++ {
		row := s.in[i*in : (i+1)*in]
		for d := 0; d < f.ydim; d++ {
			row[d] = float64(yt.At(i, d))
		}
		row[f.ydim] = math.Cos(float64(t[i]) / 50)
		row[f.ydim+1] = math.Sin(float64(t[i]) / 50)
		for d := 0; d < f.xdim; d++ {
			row[f.ydim+2+d] = float64(x.At(i/(n/x.Rows), d))
		}
		a := s.act[i*f.h : (i+1)*f.h]
		for k := range a {
			z := float64(f.b1.W.Data[k])
			for c, v := range row {
				z += float64(f.w1.W.At(k, c)) * v
			}
			a[k] = math.Tanh(z)
		}
		for d := 0; d < f.ydim; d++ {
			o := float64(f.b2.W.Data[d])
			for k, v := range a {
				o += float64(f.w2.W.At(d, k)) * v
			}
			out.Set(i, d, float32(o))
		}
	}
	if tape != nil {
		tape.Push(s)
	}
	return out
}

func (f *fakeNet) Backward(tape *nn.Tape, dEps *nn.Matrix) *nn.Matrix {
	s := tape.Pop().(fakeSaved)
	in := f.ydim + 2 + f.xdim
	dy := nn.NewMatrix(s.rows, f.ydim)
	dz := make([]float64, f.h)
	for i := 0; i < s.rows; i++ {
		row, a := s.in[i*in:(i+1)*in], s.act[i*f.h:(i+1)*f.h]
		clear(dz)
		for d := 0; d < f.ydim; d++ {
			g := float64(dEps.At(i, d))
			f.b2.G.Data[d] += float32(g)
			for k, v := range a {
				f.w2.G.Data[d*f.h+k] += float32(g * v)
				dz[k] += g * float64(f.w2.W.At(d, k))
			}
		}
		for k, v := range a {
			dz[k] *= 1 - v*v
			f.b1.G.Data[k] += float32(dz[k])
			for c, u := range row {
				f.w1.G.Data[k*in+c] += float32(dz[k] * u)
			}
		}
		for d := 0; d < f.ydim; d++ {
			var g float64
			for k := range dz {
				g += dz[k] * float64(f.w1.W.At(k, d))
			}
			dy.Set(i, d, float32(g))
		}
	}
	return dy
}

// randMatrix returns a rows × cols matrix of standard normal values.
func randMatrix(rows, cols int, rng *rand.Rand) *nn.Matrix {
	m := nn.NewMatrix(rows, cols)
	fillNormal(m.Data, rng)
	return m
}

// gradsOf returns a copy of every parameter gradient, flattened.
func gradsOf(params []*nn.Param) []float64 {
	var g []float64
	for _, p := range params {
		for _, v := range p.G.Data {
			g = append(g, float64(v))
		}
	}
	return g
}

// fdCheck compares the accumulated gradients of params (analytic, flattened
// in gradsOf order) with central differences of loss at every idx-th
// parameter element, with step h. It fails when the relative error of the
// gradient vector restricted to the checked elements exceeds tol.
func fdCheck(t *testing.T, params []*nn.Param, analytic []float64, loss func() float64, h, tol float64, every int) {
	t.Helper()
	var num, ana []float64
	flat := 0
	for _, p := range params {
		for i := range p.W.Data {
			if flat%every == 0 {
				w := p.W.Data[i]
				wp, wm := w+float32(h), w-float32(h)
				p.W.Data[i] = wp
				lp := loss()
				p.W.Data[i] = wm
				lm := loss()
				p.W.Data[i] = w
				num = append(num, (lp-lm)/(float64(wp)-float64(wm)))
				ana = append(ana, analytic[flat])
			}
			flat++
		}
	}
	var diff, norm float64
	for i := range num {
		diff += (num[i] - ana[i]) * (num[i] - ana[i])
		norm += num[i] * num[i]
	}
	if norm == 0 {
		t.Fatalf("finite differences are all zero over %d elements: nothing checked", len(num))
	}
	rel := math.Sqrt(diff / norm)
	if rel > tol {
		for i := range num {
			t.Logf("element %d: numeric %.6g analytic %.6g", i, num[i], ana[i])
		}
		t.Fatalf("gradient relative error %.3g > %.3g over %d elements", rel, tol, len(num))
	}
	t.Logf("gradient relative error %.3g over %d elements", rel, len(num))
}
