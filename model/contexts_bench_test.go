package model

import (
	"context"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// contextShapes are the task shapes of BenchmarkSharedContexts at h = 256.
var contextShapes = []struct {
	name       string
	ydim, xdim int
}{{"power", 24, 149}, {"portfolio", 50, 1400}}

// contextModes runs a benchmark with x tiled to one row per sample (the
// behaviour before shared contexts) and with one row per context.
func contextModes(b *testing.B, name string, d *Diffusion, f func(b *testing.B)) {
	for _, shared := range []bool{false, true} {
		mode := map[bool]string{false: "tiled", true: "shared"}[shared]
		b.Run(name+"/"+mode, func(b *testing.B) {
			d.tileContexts = !shared
			f(b)
		})
	}
}

// BenchmarkSharedContexts times the paths whose rows share contexts, with
// tiled and with shared contexts, at h = 256 on 64 contexts: DDIM sampling
// of 25 samples per context with S = 20 steps, the score-function surrogate
// over 10 samples per context × K = 10 timesteps, and the
// reparameterization estimator (sampling with a tape through S = 20 steps,
// then Chain.Backward) on 25 samples per context.
func BenchmarkSharedContexts(b *testing.B) {
	ctx := context.Background()
	for _, s := range contextShapes {
		net := nn.NewDenoiser(nn.DenoiserConfig{YDim: s.ydim, XDim: s.xdim, Hidden: 256, Blocks: 3}, newRNG(1))
		d := NewDiffusion(net, DefaultSchedule())
		x := randMatrix(64, s.xdim, newRNG(2))
		contextModes(b, s.name+"/ddim/S=20", d, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := d.Sample(ctx, x, 25, Sampler{Steps: 20}, newRNG(uint64(i))); err != nil {
					b.Fatal(err)
				}
			}
		})
		y, w := randMatrix(640, s.ydim, newRNG(3)), make([]float64, 640)
		for i := range w {
			w[i] = float64(i%5) - 2
		}
		contextModes(b, s.name+"/scorefn/K=10", d, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := d.ScoreFunction(ctx, y, x, w, ScoreFunction{K: 10, Scale: 0.1}, newRNG(uint64(i))); err != nil {
					b.Fatal(err)
				}
			}
		})
		dy := randMatrix(1600, s.ydim, newRNG(4))
		contextModes(b, s.name+"/reparam/S=20", d, func(b *testing.B) {
			var tape int64
			for i := 0; i < b.N; i++ {
				ch, err := d.SampleReparam(ctx, x, 25, Reparam{Sampler: Sampler{Steps: 20}}, newRNG(uint64(i)))
				if err != nil {
					b.Fatal(err)
				}
				if err := ch.Backward(ctx, dy); err != nil {
					b.Fatal(err)
				}
				tape = ch.TapeBytes()
			}
			b.ReportMetric(float64(tape)/(1<<20), "tape-MiB")
		})
	}
}
