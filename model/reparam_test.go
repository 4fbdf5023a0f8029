package model

import (
	"context"
	"math"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// reparamLoss samples with the chain and returns L = Σ c·y over all samples.
func reparamLoss(t *testing.T, d *Diffusion, x, c *nn.Matrix, cfg Reparam, seed uint64) (*Chain, float64) {
	t.Helper()
	ch, err := d.SampleReparam(context.Background(), x, 2, cfg, newRNG(seed))
	if err != nil {
		t.Fatal(err)
	}
	var l float64
	for i, v := range ch.Samples().Data {
		l += float64(c.Data[i]) * float64(v)
	}
	return ch, l
}

func TestReparamSamplesMatchSample(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), smallSchedule(t, 40))
	x := randMatrix(3, 2, newRNG(2))
	cfg := Sampler{Steps: 8, Eta: 0.8}
	a, _ := d.Sample(context.Background(), x, 2, cfg, newRNG(3))
	for _, ck := range []int{0, 3} {
		ch, err := d.SampleReparam(context.Background(), x, 2, Reparam{Sampler: cfg, Checkpoint: ck}, newRNG(3))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range ch.Samples().Data {
			if v != a.Data[i] {
				t.Fatalf("checkpoint %d: reparameterized samples differ from Sample's", ck)
			}
		}
	}
}

// The chain gradient against central differences of L(θ) = Σ c·y(θ), with
// every random draw fixed by the seed.
func TestReparamGradientFiniteDifferences(t *testing.T) {
	for _, eta := range []float64{0, 0.8} {
		net := newFakeNet(3, 2, 4, newRNG(1))
		d := NewDiffusion(net, smallSchedule(t, 50))
		x, c := randMatrix(3, 2, newRNG(2)), randMatrix(6, 3, newRNG(3))
		cfg := Reparam{Sampler: Sampler{Steps: 6, Eta: eta}}
		ch, _ := reparamLoss(t, d, x, c, cfg, 4)
		if err := ch.Backward(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		g := gradsOf(net.Params())
		fdCheck(t, net.Params(), g, func() float64 { _, l := reparamLoss(t, d, x, c, cfg, 4); return l }, 1e-3, 2e-3, 1)
	}
}

func TestReparamCheckpointIdentical(t *testing.T) {
	net := newFakeNet(3, 2, 4, newRNG(1))
	d := NewDiffusion(net, smallSchedule(t, 60))
	x, c := randMatrix(3, 2, newRNG(2)), randMatrix(6, 3, newRNG(3))
	var ref []float64
	for _, ck := range []int{0, 1, 3, 4, 10, 25} {
		nn.ZeroGrad(net.Params())
		ch, _ := reparamLoss(t, d, x, c, Reparam{Sampler: Sampler{Steps: 10, Eta: 0.5}, Checkpoint: ck}, 5)
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

func TestReparamBadUpstream(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 4, newRNG(1)), smallSchedule(t, 20))
	ch, err := d.SampleReparam(context.Background(), randMatrix(1, 2, newRNG(1)), 2, Reparam{Sampler: Sampler{Steps: 4}}, newRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	dy := nn.NewMatrix(2, 3)
	dy.Data[1] = float32(math.NaN())
	if err := ch.Backward(context.Background(), dy); err == nil {
		t.Error("NaN upstream gradient accepted")
	}
	if _, err := d.SampleReparam(context.Background(), randMatrix(1, 2, newRNG(1)), 2, Reparam{Checkpoint: -1}, newRNG(1)); err == nil {
		t.Error("negative checkpoint accepted")
	}
}
