package model

import (
	"context"
	"runtime"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Tests on package nn's real Denoiser and layers (float32 throughout, so the
// finite-difference tolerances are looser than on the float64 fakes).

func tinyDenoiser(seed uint64) *nn.Denoiser {
	return nn.NewDenoiser(nn.DenoiserConfig{YDim: 2, XDim: 3, Hidden: 8, Blocks: 2, TimeHidden: 8}, newRNG(seed))
}

var _ EpsNet = (*nn.Denoiser)(nil)

func TestDenoiserReparamGradient(t *testing.T) {
	net := tinyDenoiser(1)
	d := NewDiffusion(net, smallSchedule(t, 50))
	x, c := randMatrix(2, 3, newRNG(2)), randMatrix(4, 2, newRNG(3))
	cfg := Reparam{Sampler: Sampler{Steps: 5, Eta: 0.5}}
	ch, _ := reparamLoss(t, d, x, c, cfg, 4)
	if err := ch.Backward(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	fdCheck(t, net.Params(), gradsOf(net.Params()), func() float64 { _, l := reparamLoss(t, d, x, c, cfg, 4); return l }, 3e-3, 2e-3, 7)
}

func TestDenoiserScoreFunctionGradient(t *testing.T) {
	net := tinyDenoiser(1)
	d := NewDiffusion(net, smallSchedule(t, 50))
	y, x := randMatrix(6, 2, newRNG(2)), randMatrix(2, 3, newRNG(3))
	w := []float64{0.5, -1.2, 0.3, 2.0, -0.7, 1.1}
	eval := func() float64 {
		r, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 3, Scale: 1.0 / 3, Chunk: 7}, newRNG(4))
		if err != nil {
			t.Fatal(err)
		}
		return r.Surrogate
	}
	eval()
	fdCheck(t, net.Params(), gradsOf(net.Params()), eval, 3e-3, 2e-3, 7)
}

func TestDenoiserCheckpointIdentical(t *testing.T) {
	net := tinyDenoiser(1)
	d := NewDiffusion(net, smallSchedule(t, 60))
	x, c := randMatrix(3, 3, newRNG(2)), randMatrix(6, 2, newRNG(3))
	var ref []float64
	for _, ck := range []int{0, 1, 4, 7} {
		nn.ZeroGrad(net.Params())
		ch, _ := reparamLoss(t, d, x, c, Reparam{Sampler: Sampler{Steps: 12, Eta: 0.8}, Checkpoint: ck}, 5)
		if err := ch.Backward(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		g := gradsOf(net.Params())
		if ref == nil {
			ref = g
			continue
		}
		for i := range g {
			if g[i] != ref[i] {
				t.Fatalf("checkpoint %d: gradient element %d = %v, without checkpointing %v", ck, i, g[i], ref[i])
			}
		}
	}
}

// Samples, reparameterized gradients and score-function gradients are
// bit-identical with one and with two cores, on batches large enough for
// package nn to split rows across goroutines.
func TestDenoiserDeterministicAcrossGOMAXPROCS(t *testing.T) {
	run := func() []float64 {
		net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 4, XDim: 5, Hidden: 32, Blocks: 2}, newRNG(1))
		d := NewDiffusion(net, smallSchedule(t, 100))
		x := randMatrix(40, 5, newRNG(2))
		ctx := context.Background()
		y, err := d.Sample(ctx, x, 25, Sampler{Steps: 5, Eta: 0.8}, newRNG(3))
		if err != nil {
			t.Fatal(err)
		}
		out := gradsOf([]*nn.Param{{W: y, G: y}})
		ch, _ := d.SampleReparam(ctx, x, 25, Reparam{Sampler: Sampler{Steps: 4}}, newRNG(4))
		if err := ch.Backward(ctx, y); err != nil {
			t.Fatal(err)
		}
		w := make([]float64, y.Rows)
		for i := range w {
			w[i] = float64(i%7) - 3
		}
		s, _ := NewLossSecondMoment(100, 10, 1e-3)
		if _, err := d.ScoreFunction(ctx, y, x, w, ScoreFunction{K: 3, Scale: 0.04, Chunk: 1024, Sampler: s, SelfNormalize: true}, newRNG(5)); err != nil {
			t.Fatal(err)
		}
		return append(out, gradsOf(net.Params())...)
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	a := run()
	runtime.GOMAXPROCS(2)
	b := run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("value %d differs: %v with 1 core, %v with 2", i, a[i], b[i])
		}
	}
}

func TestRealPredictorsGradients(t *testing.T) {
	g, _ := NewGaussian(GaussianConfig{XDim: 3, YDim: 2, Hidden: []int{6, 5}}, newRNG(1))
	x, y := randMatrix(5, 3, newRNG(2)), randMatrix(5, 2, newRNG(3))
	g.NLL(x, y, 1)
	fdCheck(t, g.Params(), gradsOf(g.Params()), func() float64 { return g.NLL(x, y, 0) }, 3e-3, 1e-3, 1)

	p, _ := NewPoint(PointConfig{XDim: 3, YDim: 2, Hidden: []int{6}}, newRNG(4))
	p.MSE(x, y, 1)
	fdCheck(t, p.Params(), gradsOf(p.Params()), func() float64 { return p.MSE(x, y, 0) }, 3e-3, 1e-3, 1)

	pol, _ := NewPolicy(PolicyConfig{XDim: 3, ZDim: 2, Hidden: []int{6}, Output: OutputSoftmax}, newRNG(5))
	tape := &nn.Tape{}
	pol.Forward(x, tape)
	pol.Backward(tape, y) // L = Σ y ⊙ z
	fdCheck(t, pol.Params(), gradsOf(pol.Params()), func() float64 {
		var l float64
		for i, v := range pol.Forward(x, nil).Data {
			l += float64(v) * float64(y.Data[i])
		}
		return l
	}, 3e-3, 1e-3, 1)
}
