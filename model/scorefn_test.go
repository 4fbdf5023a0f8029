package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// warmSampler returns an importance sampler whose history is full of
// t-dependent losses, so that p is far from uniform.
func warmSampler(t *testing.T, T int) *LossSecondMoment {
	s, err := NewLossSecondMoment(T, 10, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRNG(99)
	for rep := 0; rep < 10; rep++ {
		for ti := 0; ti < T; ti++ {
			s.Update([]int{ti}, []float64{(1 + float64(ti%7)) * (0.5 + rng.Float64())})
		}
	}
	if !s.Warm() {
		t.Fatal("sampler not warm after 10 losses per timestep")
	}
	return s
}

func sfCase(t *testing.T) (*Diffusion, *fakeNet, *nn.Matrix, *nn.Matrix, []float64) {
	net := newFakeNet(3, 2, 4, newRNG(1))
	d := NewDiffusion(net, smallSchedule(t, 50))
	y, x := randMatrix(6, 3, newRNG(2)), randMatrix(2, 2, newRNG(3)) // m = 3
	w := []float64{0.5, -1.2, 0.3, 2.0, -0.7, 1.1}
	return d, net, y, x, w
}

// The surrogate's accumulated gradient against central differences of the
// surrogate value with every draw (t, ε) fixed by the seed, for uniform
// timesteps, importance sampling and the self-normalised variant.
func TestScoreFunctionFiniteDifferences(t *testing.T) {
	for _, c := range []struct {
		name       string
		sampler    bool
		selfNormal bool
		shared     int
	}{{"uniform", false, false, 0}, {"importance", true, false, 0}, {"self-normalised", true, true, 0},
		{"uniform-shared", false, false, 3}, {"importance-shared", true, false, 3}, {"self-normalised-shared", true, true, 3}} {
		t.Run(c.name, func(t *testing.T) {
			d, net, y, x, w := sfCase(t)
			var s0 *LossSecondMoment
			if c.sampler {
				s0 = warmSampler(t, 50)
			}
			eval := func() SFResult {
				cfg := ScoreFunction{K: 4, Scale: 1.0 / 3, Chunk: 5, SelfNormalize: c.selfNormal, Shared: c.shared}
				if s0 != nil {
					cfg.Sampler = s0.Clone()
				}
				r, err := d.ScoreFunction(context.Background(), y, x, w, cfg, newRNG(4))
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			r := eval()
			g := gradsOf(net.Params())
			fdCheck(t, net.Params(), g, func() float64 { return eval().Surrogate }, 1e-3, 2e-3, 1)
			var want float64
			for j, e := range r.ELBO {
				if e >= 0 {
					t.Errorf("ELBO[%d] = %g, want < 0", j, e)
				}
				want += w[j] * e / 3
			}
			if math.Abs(want-r.Surrogate) > 1e-12*math.Abs(want) {
				t.Errorf("surrogate %g, want Σ w·ELBO/3 = %g", r.Surrogate, want)
			}
		})
	}
}

// ELBO_j by hand for one sample and K = 2 uniform timesteps.
func TestScoreFunctionELBOValue(t *testing.T) {
	net := newFakeNet(3, 2, 4, newRNG(1))
	d := NewDiffusion(net, smallSchedule(t, 50))
	y, x := randMatrix(1, 3, newRNG(2)), randMatrix(1, 2, newRNG(3))
	r, err := d.ScoreFunction(context.Background(), y, x, []float64{1}, ScoreFunction{K: 2, Scale: 1}, newRNG(5))
	if err != nil {
		t.Fatal(err)
	}
	rng := newRNG(5)
	ts := []int{rng.IntN(50), rng.IntN(50)}
	var want float64
	for _, ti := range ts {
		eps := randMatrix(1, 3, rng)
		yt := d.Sched.Noise(y, []int{ti}, eps)
		pred := net.Forward(yt, []int{ti}, x, nil)
		for k := range pred.Data {
			diff := float64(pred.Data[k] - eps.Data[k])
			want -= diff * diff / 2
		}
	}
	if math.Abs(r.ELBO[0]-want) > 1e-6*math.Abs(want) {
		t.Errorf("ELBO = %g, want %g", r.ELBO[0], want)
	}
}

func TestScoreFunctionChunkInvariance(t *testing.T) {
	d, net, y, x, w := sfCase(t)
	var ref []float64
	var refS float64
	for _, chunk := range []int{1, 7, 24, 0} {
		nn.ZeroGrad(net.Params())
		r, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 4, Scale: 0.5, Chunk: chunk}, newRNG(6))
		if err != nil {
			t.Fatal(err)
		}
		g := gradsOf(net.Params())
		if ref == nil {
			ref, refS = g, r.Surrogate
			continue
		}
		if math.Abs(r.Surrogate-refS) > 1e-12*math.Abs(refS) {
			t.Errorf("chunk %d: surrogate %v, chunk 1: %v", chunk, r.Surrogate, refS)
		}
		for i := range g {
			if math.Abs(g[i]-ref[i]) > 1e-5*(1+math.Abs(ref[i])) {
				t.Fatalf("chunk %d: gradient %d = %v, chunk 1: %v", chunk, i, g[i], ref[i])
			}
		}
	}
}

func TestScoreFunctionUpdatesSampler(t *testing.T) {
	d, _, y, x, w := sfCase(t)
	s, _ := NewLossSecondMoment(50, 10, 1e-3)
	if _, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 4, Scale: 1, Sampler: s, SelfNormalize: true}, newRNG(7)); err != nil {
		t.Fatal(err)
	}
	var n int
	for _, c := range s.Count {
		n += c
	}
	if n != 24 {
		t.Errorf("sampler holds %d losses after 24 draws", n)
	}
	// Uniform weights give ESS = N > 0.9N: u drops to its floor 0.05.
	if s.Uniform != 0.05 {
		t.Errorf("adapted u = %g, want 0.05", s.Uniform)
	}
}

func TestScoreFunctionErrors(t *testing.T) {
	d, _, y, x, w := sfCase(t)
	for _, cfg := range []ScoreFunction{{K: 0, Scale: 1}, {K: 1}, {K: 1, Scale: 1, Chunk: -1}, {K: 1, Scale: 1, SelfNormalize: true}} {
		if _, err := d.ScoreFunction(context.Background(), y, x, w, cfg, newRNG(1)); !errors.Is(err, ErrConfig) {
			t.Errorf("config %+v: error %v, want ErrConfig", cfg, err)
		}
	}
	bad := append([]float64(nil), w...)
	bad[2] = math.Inf(1)
	if _, err := d.ScoreFunction(context.Background(), y, x, bad, ScoreFunction{K: 1, Scale: 1}, newRNG(1)); !errors.Is(err, ErrNumeric) {
		t.Errorf("infinite weight: error %v, want ErrNumeric", err)
	}
}

// With Shared = m the samples of one context use the same timesteps and
// noise: equal samples then have equal ELBOs, different ones differ only
// through y, and without sharing equal samples get different ELBOs.
func TestScoreFunctionSharedDraws(t *testing.T) {
	d, _, _, x, _ := sfCase(t)
	y := nn.NewMatrix(6, 3)
	for j := 0; j < 6; j++ {
		copy(y.Row(j), []float32{0.3, -0.2, float32(j / 3)}) // two contexts, equal samples within each
	}
	w := []float64{1, -1, 0.5, 2, -2, 0}
	run := func(shared int) SFResult {
		r, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 5, Scale: 1, Shared: shared}, newRNG(7))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	sh := run(3)
	for j := 0; j < 6; j++ {
		if g0 := j / 3 * 3; sh.ELBO[j] != sh.ELBO[g0] {
			t.Errorf("shared draws: ELBO[%d] = %g, want ELBO[%d] = %g", j, sh.ELBO[j], g0, sh.ELBO[g0])
		}
	}
	if sh.ELBO[0] == sh.ELBO[3] {
		t.Errorf("contexts 0 and 1 got identical ELBOs %g: draws shared across groups", sh.ELBO[0])
	}
	ind := run(0)
	if ind.ELBO[0] == ind.ELBO[1] {
		t.Errorf("independent draws gave equal ELBOs %g for two samples", ind.ELBO[0])
	}
	if _, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 5, Scale: 1, Shared: -1}, newRNG(7)); !errors.Is(err, ErrConfig) {
		t.Errorf("Shared = -1: err %v, want ErrConfig", err)
	}
}
