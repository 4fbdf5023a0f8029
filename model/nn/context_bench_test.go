package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// ctxBenchShape is a denoiser size with B contexts of G rows each.
type ctxBenchShape struct {
	name       string
	ydim, xdim int
	h          int
}

var ctxBenchShapes = []ctxBenchShape{
	{"power", 24, 149, 256},
	{"portfolio", 50, 1400, 256},
}

// ctxBenchInputs builds the network of shape s and draws contexts × group
// rows with one step for every row (a DDIM step): y_t, the steps, the
// grouped and the tiled contexts, and an upstream gradient.
func ctxBenchInputs(s ctxBenchShape, contexts, group int) (d *Denoiser, yt *Matrix, t []int, x, tiled, w *Matrix) {
	rng := rand.New(rand.NewPCG(1, 3))
	d = NewDenoiser(DenoiserConfig{YDim: s.ydim, XDim: s.xdim, Hidden: s.h, Blocks: 3}, rng)
	n := contexts * group
	yt = randMatrix(rng, n, s.ydim, 1)
	t = make([]int, n)
	for i := range t {
		t[i] = 500
	}
	x = randMatrix(rng, contexts, s.xdim, 1)
	tiled = NewMatrix(n, s.xdim)
	for i := range n {
		copy(tiled.Row(i), x.Row(i/group))
	}
	return d, yt, t, x, tiled, randMatrix(rng, n, s.ydim, 1)
}

// BenchmarkDenoiserContexts compares one forward pass (a DDIM step) and one
// forward+backward pass over 64 contexts × 25 rows with the contexts tiled
// to one per row (the dense first layer) and grouped (the factored one).
func BenchmarkDenoiserContexts(b *testing.B) {
	for _, s := range ctxBenchShapes {
		for _, grouped := range []bool{false, true} {
			mode := map[bool]string{false: "tiled", true: "grouped"}[grouped]
			d, yt, t, x, tiled, w := ctxBenchInputs(s, 64, 25)
			if !grouped {
				x = tiled
			}
			b.Run(fmt.Sprintf("%s/forward/%s", s.name, mode), func(b *testing.B) {
				d.Forward(yt, t, x, nil)
				b.ReportAllocs()
				for b.Loop() {
					d.Forward(yt, t, x, nil)
				}
			})
			b.Run(fmt.Sprintf("%s/backward/%s", s.name, mode), func(b *testing.B) {
				tape := &Tape{}
				step := func() {
					d.Forward(yt, t, x, tape)
					d.Backward(tape, w)
				}
				step()
				b.ReportAllocs()
				for b.Loop() {
					step()
				}
				d.Forward(yt, t, x, tape)
				b.ReportMetric(float64(tape.Bytes())/float64(yt.Rows), "tapeB/row")
				d.Backward(tape, w)
			})
		}
	}
}

// BenchmarkDenoiserSingleContext is a training step over 1024 rows with
// their own contexts (G = 1) through the dense first layer and, for
// comparison, through the factored one (factorSingle).
func BenchmarkDenoiserSingleContext(b *testing.B) {
	for _, factored := range []bool{false, true} {
		b.Run(fmt.Sprintf("power/h256/factored=%v", factored), func(b *testing.B) {
			d, yt, t, x, w := benchDenoiser(benchShape{"power/h256", 24, 149, 256, 1024})
			d.factorSingle = factored
			opt := NewAdam(d.Params(), 1e-4)
			tape := &Tape{}
			step := func() {
				opt.ZeroGrad()
				d.Forward(yt, t, x, tape)
				d.Backward(tape, w)
				opt.Step()
			}
			step()
			b.ReportAllocs()
			for b.Loop() {
				step()
			}
		})
	}
}
