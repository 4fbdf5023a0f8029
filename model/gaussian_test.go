package model

import (
	"math"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestGaussianNLLGradient(t *testing.T) {
	g := newFakeGaussian(3, 5, 2, newRNG(1))
	x, y := randMatrix(4, 3, newRNG(2)), randMatrix(4, 2, newRNG(3))
	nll := g.NLL(x, y, 1)
	fdCheck(t, g.Params(), gradsOf(g.Params()), func() float64 { return g.NLL(x, y, 0) }, 1e-3, 1e-3, 1)
	// Value: mean of −log N(y; μ, σ²) over the elements.
	mu, lv := g.Forward(x, nil)
	var want float64
	for i := range mu.Data {
		want -= distuv.Normal{Mu: float64(mu.Data[i]), Sigma: math.Exp(0.5 * float64(lv.Data[i]))}.LogProb(float64(y.Data[i])) / 8
	}
	if math.Abs(nll-want) > 1e-6 {
		t.Errorf("NLL = %g, want %g", nll, want)
	}
}

// Below the variance floor PyTorch clamps v at 1e−6 without gradient: the
// loss uses v = 1e−6 and dL/dlogvar = ½(1/v − r²/v²)·exp(logvar)/n.
func TestGaussianNLLClamp(t *testing.T) {
	g := newFakeGaussian(1, 1, 1, newRNG(1))
	lvHead := g.LogVar.(*fakeLayer)
	lvHead.w.W.Data[0], lvHead.b.W.Data[0] = 0, -20 // logvar = −20: e = 2.06e−9 < 1e−6
	x, y := nn.NewMatrix(1, 1), nn.NewMatrix(1, 1)
	mu, _ := g.Forward(x, nil)
	y.Data[0] = mu.Data[0] + 1e-3
	got := g.NLL(x, y, 1)
	r := float64(y.Data[0]) - float64(mu.Data[0])
	want := 0.5*(math.Log(1e-6)+r*r/1e-6) + 0.5*math.Log(2*math.Pi)
	if math.Abs(got-want) > 1e-6*math.Abs(want) {
		t.Errorf("clamped NLL = %g, want %g", got, want)
	}
	wantG := 0.5 * (1/1e-6 - r*r/1e-12) * math.Exp(-20)
	if gb := float64(lvHead.b.G.Data[0]); math.Abs(gb-wantG) > 1e-4*math.Abs(wantG) {
		t.Errorf("dNLL/dlogvar bias = %g, want %g", gb, wantG)
	}
}

func TestGaussianLogDensity(t *testing.T) {
	g := newFakeGaussian(3, 5, 2, newRNG(1))
	x := randMatrix(2, 3, newRNG(2))
	y := g.Sample(x, 3, newRNG(3))
	lp := g.LogDensity(x, y)
	mu, lv := g.Forward(x, nil)
	for i := 0; i < 6; i++ {
		var want float64
		for d := 0; d < 2; d++ {
			want += distuv.Normal{Mu: float64(mu.At(i/3, d)), Sigma: math.Exp(0.5 * float64(lv.At(i/3, d)))}.LogProb(float64(y.At(i, d)))
		}
		if math.Abs(lp[i]-want) > 1e-6 {
			t.Errorf("log p[%d] = %g, want %g", i, lp[i], want)
		}
	}
}

func TestGaussianReparamGradient(t *testing.T) {
	g := newFakeGaussian(3, 5, 2, newRNG(1))
	x, c := randMatrix(2, 3, newRNG(2)), randMatrix(8, 2, newRNG(3))
	loss := func(y *nn.Matrix) float64 {
		var l float64
		for i, v := range y.Data {
			l += float64(c.Data[i]) * float64(v) * float64(v)
		}
		return l
	}
	dr := g.SampleReparam(x, 4, newRNG(4))
	if s := g.Sample(x, 4, newRNG(4)); s.Data[5] != dr.Samples().Data[5] {
		t.Fatal("SampleReparam and Sample draw differently")
	}
	dy := nn.NewMatrix(8, 2)
	for i, v := range dr.Samples().Data {
		dy.Data[i] = 2 * c.Data[i] * v
	}
	if err := dr.Backward(dy); err != nil {
		t.Fatal(err)
	}
	fdCheck(t, g.Params(), gradsOf(g.Params()), func() float64 { return loss(g.Sample(x, 4, newRNG(4))) }, 1e-3, 1e-3, 1)
}

func TestGaussianScoreFunctionGradient(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		g := newFakeGaussian(3, 5, 2, newRNG(1))
		g.LogVar.(*fakeLayer).b.W.Data[0] = -4 // σ small: log p > 0 near μ
		x := randMatrix(2, 3, newRNG(2))
		y := g.Sample(x, 4, newRNG(3))
		// Spread some samples so the legacy clamp is active for part of them.
		for i := 0; i < 4; i++ {
			y.Data[i] *= 3
		}
		var pos int
		for _, lp := range g.LogDensity(x, y) {
			if lp+math.Log(2*math.Pi) > 0 {
				pos++
			}
		}
		if pos == 0 || pos == 8 {
			t.Fatalf("%d of 8 samples have log p > 0: the clamp case is not exercised", pos)
		}
		w := []float64{1, -2, 0.5, 0.3, -1, 2, 0.7, -0.4}
		cfg := GaussianSF{Scale: 0.25, Legacy: legacy}
		sur, err := g.ScoreFunction(x, y, w, cfg)
		if err != nil {
			t.Fatal(err)
		}
		value := func() float64 {
			mu, lv := g.Forward(x, nil)
			var s float64
			for i := 0; i < 8; i++ {
				lp := gaussLogp(y.Row(i), mu.Row(i/4), lv.Row(i/4), !legacy)
				if legacy {
					lp = math.Min(lp, 0) / 4
				}
				s += 0.25 * w[i] * lp
			}
			return s
		}
		if math.Abs(sur-value()) > 1e-9*math.Abs(sur) {
			t.Errorf("legacy %v: surrogate %g, want %g", legacy, sur, value())
		}
		fdCheck(t, g.Params(), gradsOf(g.Params()), value, 1e-3, 1e-3, 1)
	}
}

// The score-function and reparameterization estimators agree in expectation
// with the exact gradient of E[f(y)] for f(y) = ½‖y − a‖², where
// ∂E f/∂μ = μ − a and ∂E f/∂logvar = ½σ² per context.
func TestGaussianEstimatorsAgreeInExpectation(t *testing.T) {
	const B, M, seeds = 3, 50, 400
	g := newFakeGaussian(3, 4, 2, newRNG(1))
	x := randMatrix(B, 3, newRNG(2))
	a := []float32{0.5, -1}
	params := g.Params()

	tape := &nn.Tape{}
	mu, lv := g.Forward(x, tape)
	dMu, dLv := nn.NewMatrix(B, 2), nn.NewMatrix(B, 2)
	for i := range mu.Data {
		dMu.Data[i] = mu.Data[i] - a[i%2]
		dLv.Data[i] = 0.5 * float32(math.Exp(float64(lv.Data[i])))
	}
	g.Backward(tape, dMu, dLv)
	exact := gradsOf(params)

	var sf, rp [][]float64
	for s := uint64(0); s < seeds; s++ {
		nn.ZeroGrad(params)
		dr := g.SampleReparam(x, M, newRNG(100+s))
		y := dr.Samples()
		dy, w := nn.NewMatrix(B*M, 2), make([]float64, B*M)
		for i := 0; i < B*M; i++ {
			for d := 0; d < 2; d++ {
				r := y.At(i, d) - a[d]
				dy.Set(i, d, r/M)
				w[i] += 0.5 * float64(r) * float64(r)
			}
		}
		if err := dr.Backward(dy); err != nil {
			t.Fatal(err)
		}
		rp = append(rp, gradsOf(params))
		nn.ZeroGrad(params)
		if _, err := g.ScoreFunction(x, y, w, GaussianSF{Scale: 1.0 / M}); err != nil {
			t.Fatal(err)
		}
		sf = append(sf, gradsOf(params))
	}
	for name, est := range map[string][][]float64{"score function": sf, "reparameterization": rp} {
		for k := range exact {
			var m, v float64
			for _, e := range est {
				m += e[k] / seeds
			}
			for _, e := range est {
				v += (e[k] - m) * (e[k] - m) / (seeds - 1)
			}
			se := math.Sqrt(v / seeds)
			if math.Abs(m-exact[k]) > 5*se+1e-6 {
				t.Errorf("%s: gradient element %d mean %g ± %g, exact %g", name, k, m, se, exact[k])
			}
		}
	}
}
