package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// smallDenoiser returns a network small enough to finite-difference every
// parameter, with LayerNorm affine parameters moved off their 1, 0 start.
func smallDenoiser(blocks int, rng *rand.Rand) *Denoiser {
	d := NewDenoiser(DenoiserConfig{YDim: 3, XDim: 4, Hidden: 8, Blocks: blocks, TimeDim: 4, TimeHidden: 6}, rng)
	for _, ln := range append([]*LayerNorm{d.NormIn}, d.Norm...) {
		perturb(ln.Gamma, rng, 1, 0.3)
		perturb(ln.Beta, rng, 0, 0.3)
	}
	return d
}

// denoiserInputs draws rows of (y_t, t, x); steps repeat so that rows share
// time embeddings.
func denoiserInputs(rng *rand.Rand, d *Denoiser, rows, maxT int) (*Matrix, []int, *Matrix) {
	t := make([]int, rows)
	for i := range t {
		t[i] = rng.IntN(maxT)
	}
	return randMatrix(rng, rows, d.YDim(), 1), t, randMatrix(rng, rows, d.XDim(), 1)
}

// checkDenoiser checks the forward output against the reference and the
// gradients (dL/dy_t for all rows, parameters at idx or all) against finite
// differences, for L = Σ w⊙ε̂. sample picks the entries to check of a
// parameter's values, or of y_t when p is nil (nil: all).
func checkDenoiser(t *testing.T, d *Denoiser, rows, maxT int, sample func(p *Param) []int, rng *rand.Rand) {
	t.Helper()
	yt, steps, x := denoiserInputs(rng, d, rows, maxT)
	checkDenoiserOn(t, d, yt, steps, x, sample, rng)
}

// checkDenoiserOn is checkDenoiser on given inputs; x may hold one context
// per group of rows, which the reference sees tiled.
func checkDenoiserOn(t *testing.T, d *Denoiser, yt *Matrix, steps []int, x *Matrix, sample func(p *Param) []int, rng *rand.Rand) {
	t.Helper()
	rows := yt.Rows
	tape := &Tape{}
	out := d.Forward(yt, steps, x, tape)
	v := paramVals(d.Params())
	y64, yflat := rows64(yt)
	x64, _ := rows64(tileContexts(x, rows/x.Rows))
	assertClose(t, "Denoiser", out, refDenoiser(d, v, y64, steps, x64), 2e-5)
	w := randMatrix(rng, rows, d.YDim(), 1)
	ZeroGrad(d.Params())
	dyt := d.Backward(tape, w)
	if tape.Len() != 0 {
		t.Fatalf("%d records left on the tape", tape.Len())
	}
	loss := func() float64 { return dot(w, refDenoiser(d, v, y64, steps, x64)) }
	fdCheck(t, "dy_t", yflat, sample(nil), dyt.Data, loss)
	for _, p := range d.Params() {
		fdCheck(t, p.Name, v[p], sample(p), p.G.Data, loss)
	}
}

func TestDenoiserGradientsAllParams(t *testing.T) {
	for _, blocks := range []int{1, 3} {
		rng := rand.New(rand.NewPCG(5, uint64(blocks)))
		d := smallDenoiser(blocks, rng)
		checkDenoiser(t, d, 70, 20, func(*Param) []int { return nil }, rng)
	}
}

func TestDenoiserGradientsPowerShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 0))
	d := NewDenoiser(DenoiserConfig{YDim: 24, XDim: 149, Hidden: 48, Blocks: 3}, rng)
	for _, ln := range append([]*LayerNorm{d.NormIn}, d.Norm...) {
		perturb(ln.Gamma, rng, 1, 0.3)
		perturb(ln.Beta, rng, 0, 0.3)
	}
	sample := func(p *Param) []int {
		n, k := 130*24, 40
		if p != nil {
			n, k = len(p.W.Data), 4
		}
		idx := make([]int, k)
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		return idx
	}
	checkDenoiser(t, d, 130, 1000, sample, rng)
}

func TestDenoiserParamCount(t *testing.T) {
	for _, c := range []struct {
		name       string
		ydim, xdim int
		want       int
	}{
		{"power", 24, 149, 2333346}, // power.md §3, checked against PyTorch
		{"synthetic", 10, 20, 2172278},
		{"portfolio", 50, 1400, 3670198},
	} {
		d := NewDenoiser(ReferenceDenoiser(c.ydim, c.xdim), rand.New(rand.NewPCG(1, 1)))
		if got := NumParams(d.Params()); got != c.want {
			t.Errorf("%s: %d parameters, want %d", c.name, got, c.want)
		}
	}
}

func TestDenoiserInit(t *testing.T) {
	d := NewDenoiser(ReferenceDenoiser(24, 149), rand.New(rand.NewPCG(7, 0)))
	for _, l := range append(append([]*Linear{d.Time.L1, d.Time.L2}, d.Linear...), d.Out) {
		bound := 1 / math.Sqrt(float64(l.In))
		checkUniform(t, l.Weight, bound)
		checkUniform(t, l.Bias, bound)
	}
	for _, ln := range append([]*LayerNorm{d.NormIn}, d.Norm...) {
		for j := range ln.Gamma.W.Data {
			if ln.Gamma.W.Data[j] != 1 || ln.Beta.W.Data[j] != 0 {
				t.Fatalf("%s: γ, β = %g, %g, want 1, 0", ln.Gamma.Name, ln.Gamma.W.Data[j], ln.Beta.W.Data[j])
			}
		}
	}
}

// checkUniform tests that p's values look like U(−b, b): all inside, the
// extremes near ±b, mean and variance b²/3 within sampling error.
func checkUniform(t *testing.T, p *Param, b float64) {
	t.Helper()
	n := float64(len(p.W.Data))
	var s, ss, lo, hi float64
	for _, v := range p.W.Data {
		f := float64(v)
		if math.Abs(f) > b {
			t.Fatalf("%s: %g outside ±%g", p.Name, f, b)
		}
		s, ss, lo, hi = s+f, ss+f*f, math.Min(lo, f), math.Max(hi, f)
	}
	mean, vr := s/n, ss/n-(s/n)*(s/n)
	// Sampling standard errors: mean b/√(3n), variance ≈ 0.3·b²/√n.
	if math.Abs(mean) > 5*b/math.Sqrt(3*n) || math.Abs(vr-b*b/3) > 5*0.3*b*b/math.Sqrt(n)+1e-12 {
		t.Errorf("%s: mean %.3g var %.4g, want 0 and %.4g (n %g)", p.Name, mean, vr, b*b/3, n)
	}
	if n >= 1000 && (hi < 0.99*b || lo > -0.99*b) {
		t.Errorf("%s: range [%g, %g], want close to ±%g", p.Name, lo, hi, b)
	}
}
