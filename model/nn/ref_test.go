package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// This file holds naive float64 re-implementations of every layer's forward
// pass. Gradient tests check (1) that the float32 forward agrees with the
// reference, and (2) that the analytic float32 gradients agree with central
// finite differences of the reference, which in float64 are accurate to
// ~1e-9, far tighter than float32 central differences could be.

// vals maps each parameter to a float64 copy of its values; finite
// differences perturb these copies.
type vals map[*Param][]float64

func paramVals(ps []*Param) vals {
	v := vals{}
	for _, p := range ps {
		v[p] = to64(p.W.Data)
	}
	return v
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// rows64 converts a float32 matrix to float64 rows that share one flat
// backing array (returned too, for finite differences).
func rows64(m *Matrix) ([][]float64, []float64) {
	flat := to64(m.Data)
	out := make([][]float64, m.Rows)
	for i := range out {
		out[i] = flat[i*m.Cols : (i+1)*m.Cols]
	}
	return out, flat
}

func refAct(act Activation, v float64) float64 {
	switch act {
	case ActReLU:
		return math.Max(v, 0)
	case ActSiLU:
		return v / (1 + math.Exp(-v))
	}
	return v
}

// refLinear is act(x·Wᵀ + b) with W out × in.
func refLinear(x [][]float64, w, b []float64, act Activation) [][]float64 {
	out := make([][]float64, len(x))
	nout, nin := len(b), len(w)/len(b)
	for i, row := range x {
		out[i] = make([]float64, nout)
		for o := range nout {
			s := b[o]
			for k := range nin {
				s += w[o*nin+k] * row[k]
			}
			out[i][o] = refAct(act, s)
		}
	}
	return out
}

func refLayerNorm(x [][]float64, g, b []float64) [][]float64 {
	out := make([][]float64, len(x))
	for i, row := range x {
		var mu, v float64
		for _, e := range row {
			mu += e
		}
		mu /= float64(len(row))
		for _, e := range row {
			v += (e - mu) * (e - mu)
		}
		v /= float64(len(row))
		out[i] = make([]float64, len(row))
		for j, e := range row {
			out[i][j] = g[j]*(e-mu)/math.Sqrt(v+LayerNormEps) + b[j]
		}
	}
	return out
}

func refSinusoid(t []int, dim int) [][]float64 {
	h := dim / 2
	out := make([][]float64, len(t))
	for i, ti := range t {
		out[i] = make([]float64, dim)
		for k := range h {
			f := math.Exp(-math.Log(10000) * float64(k) / float64(h))
			out[i][k] = math.Cos(float64(ti) * f)
			out[i][h+k] = math.Sin(float64(ti) * f)
		}
	}
	return out
}

func refTime(te *TimeEmbedding, v vals, t []int) [][]float64 {
	e := refSinusoid(t, te.Dim)
	e = refLinear(e, v[te.L1.Weight], v[te.L1.Bias], ActSiLU)
	return refLinear(e, v[te.L2.Weight], v[te.L2.Bias], ActIdentity)
}

func refModule(m Module, v vals, x [][]float64) [][]float64 {
	switch l := m.(type) {
	case *Linear:
		return refLinear(x, v[l.Weight], v[l.Bias], l.Act)
	case *LayerNorm:
		return refLayerNorm(x, v[l.Gamma], v[l.Beta])
	case SiLU, ReLU:
		act := ActSiLU
		if _, ok := m.(ReLU); ok {
			act = ActReLU
		}
		out := make([][]float64, len(x))
		for i, row := range x {
			out[i] = make([]float64, len(row))
			for j, e := range row {
				out[i][j] = refAct(act, e)
			}
		}
		return out
	case *MLP:
		return refModule(&l.Sequential, v, x)
	case *Sequential:
		for _, s := range l.Layers {
			x = refModule(s, v, x)
		}
		return x
	}
	panic("refModule: unknown module")
}

// refDenoiser is the Denoiser of synthetic.md §3 written out naively.
func refDenoiser(d *Denoiser, v vals, yt [][]float64, t []int, x [][]float64) [][]float64 {
	temb := refTime(d.Time, v, t)
	in := make([][]float64, len(yt))
	for i := range yt {
		in[i] = append(append(append([]float64{}, yt[i]...), temb[i]...), x[i]...)
	}
	a := refLayerNorm(in, v[d.NormIn.Gamma], v[d.NormIn.Beta])
	for k := range d.Linear {
		a = refLinear(a, v[d.Linear[k].Weight], v[d.Linear[k].Bias], ActSiLU)
		a = refLayerNorm(a, v[d.Norm[k].Gamma], v[d.Norm[k].Beta])
	}
	return refLinear(a, v[d.Out.Weight], v[d.Out.Bias], ActIdentity)
}

// dot is Σ w⊙out, the scalar loss of the gradient tests.
func dot(w *Matrix, out [][]float64) float64 {
	var s float64
	for i, row := range out {
		for j, e := range row {
			s += float64(w.At(i, j)) * e
		}
	}
	return s
}

// randMatrix fills a rows × cols matrix with N(0, scale²) draws.
func randMatrix(rng *rand.Rand, rows, cols int, scale float64) *Matrix {
	m := NewMatrix(rows, cols)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return m
}

// perturb gives a parameter random values (e.g. LayerNorm γ, β away from
// their 1, 0 initialization, so that their gradients are exercised).
func perturb(p *Param, rng *rand.Rand, center, scale float64) {
	for i := range p.W.Data {
		p.W.Data[i] = float32(center + scale*rng.NormFloat64())
	}
}

// assertClose fails if the float32 forward output deviates from the float64
// reference by more than tol relative to the output's largest magnitude.
func assertClose(t *testing.T, name string, got *Matrix, want [][]float64, tol float64) {
	t.Helper()
	var scale, worst float64
	for i, row := range want {
		for j, e := range row {
			scale = math.Max(scale, math.Abs(e))
			worst = math.Max(worst, math.Abs(float64(got.At(i, j))-e))
		}
	}
	if worst > tol*math.Max(scale, 1e-12) {
		t.Fatalf("%s: forward differs from float64 reference by %.3g (scale %.3g)", name, worst, scale)
	}
}

// fdCheck compares analytic gradients with central differences of loss with
// respect to the entries idx of v (nil: all). loss must read v.
func fdCheck(t *testing.T, name string, v []float64, idx []int, analytic []float32, loss func() float64) {
	t.Helper()
	if idx == nil {
		idx = make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
	}
	num := make([]float64, len(idx))
	var gmax float64
	for n, i := range idx {
		h := 1e-6 * math.Max(1, math.Abs(v[i]))
		old := v[i]
		v[i] = old + h
		lp := loss()
		v[i] = old - h
		lm := loss()
		v[i] = old
		num[n] = (lp - lm) / (2 * h)
		gmax = math.Max(gmax, math.Abs(num[n]))
	}
	for n, i := range idx {
		a := float64(analytic[i])
		if d := math.Abs(a - num[n]); d > 2e-3*math.Abs(num[n])+1e-4*gmax+1e-9 {
			t.Errorf("%s[%d]: analytic %.6g, finite difference %.6g", name, i, a, num[n])
		}
	}
}
