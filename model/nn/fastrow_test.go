package nn

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// withKernels runs f once with the Go kernels and once with the assembly
// (where the build and the CPU have it), returning both results.
func withKernels[T any](f func(k rowKernels) T) (goRes, asmRes T, ok bool) {
	return f(rowKernels{}), f(rowKernels{asm: haveAsm}), haveAsm
}

func closeSlices(t *testing.T, name string, a, b []float32, tol float64) {
	t.Helper()
	for i := range a {
		if d := math.Abs(float64(a[i] - b[i])); d > tol*(1+math.Abs(float64(a[i]))) {
			t.Fatalf("%s[%d]: Go %g, assembly %g", name, i, a[i], b[i])
		}
	}
}

// TestRowKernelsMatchGo compares each assembly row kernel with its Go
// version on rows whose length leaves a tail (n mod 8 ≠ 0).
func TestRowKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 0))
	for _, n := range []int{5, 8, 189, 256, 1466} {
		v := func(scale float64) []float32 { return randMatrix(rng, 1, n, scale).Data }
		x, g, b, da, sig := v(3), v(1), v(1), v(1), v(0.3)
		for j := range sig {
			sig[j] = 1 / (1 + float32(math.Exp(float64(-x[j]))))
		}
		type res struct {
			m, q  float64
			norm  []float32
			sg    [2]float64
			sweep [5][]float32
		}
		run := func(k rowKernels) res {
			var r res
			r.m, r.q = k.rowMoments(x)
			r.norm = make([]float32, n)
			k.normRow(x, 0.3, 1.7, g, b, r.norm)
			xh, dg, db, dp, dbias := make([]float32, n), v(1), v(1), make([]float32, n), v(1)
			copy(dg, b)
			copy(db, g)
			copy(dbias, da)
			r.sg[0], r.sg[1] = k.backSweepA(x, da, g, xh, dg, db, 0.3, 1.7)
			k.backSweepB(da, g, xh, x, sig, dp, dbias, 1.7, 0.1, -0.2)
			r.sweep = [5][]float32{xh, dg, db, dp, dbias}
			return r
		}
		gr, ar, ok := withKernels(run)
		if !ok {
			t.Skip("no AVX2/FMA: only the Go kernels run here")
		}
		if math.Abs(gr.m-ar.m) > 1e-12*(1+math.Abs(gr.m)) || math.Abs(gr.q-ar.q) > 1e-12*gr.q {
			t.Errorf("n=%d moments: Go %v %v, assembly %v %v", n, gr.m, gr.q, ar.m, ar.q)
		}
		if math.Abs(gr.sg[0]-ar.sg[0]) > 1e-6*(1+math.Abs(gr.sg[0])) || math.Abs(gr.sg[1]-ar.sg[1]) > 1e-6*(1+math.Abs(gr.sg[1])) {
			t.Errorf("n=%d gradient moments: Go %v, assembly %v", n, gr.sg, ar.sg)
		}
		closeSlices(t, "normRow", gr.norm, ar.norm, 1e-6)
		for k, name := range []string{"x̂", "dγ", "dβ", "dpre", "dbias"} {
			closeSlices(t, name, gr.sweep[k], ar.sweep[k], 1e-5)
		}
	}
}

// TestAdamKernelMatchesGo runs the same AdamW steps with both kernels.
func TestAdamKernelMatchesGo(t *testing.T) {
	if unsafe.Offsetof(adamCoef{}.l2) != 32 || unsafe.Offsetof(adamCoef{}.step) != 16 {
		t.Fatal("adamCoef layout changed: update adamAVX2's offsets")
	}
	step := func(k rowKernels) []float32 {
		p := newParam("p", 1, 8*50+3)
		for i := range p.W.Data {
			p.W.Data[i] = float32(math.Sin(float64(i)))
		}
		opt := NewAdam([]*Param{p}, 1e-2)
		opt.kern = k
		opt.WeightDecay = 0.1 // L2 branch
		for s := range 3 {
			for i := range p.G.Data {
				p.G.Data[i] = float32(math.Cos(float64(i * (s + 2))))
			}
			opt.Step()
		}
		return p.W.Data
	}
	gr, ar, ok := withKernels(step)
	if !ok {
		t.Skip("no AVX2/FMA")
	}
	closeSlices(t, "θ", gr, ar, 1e-6)
}
