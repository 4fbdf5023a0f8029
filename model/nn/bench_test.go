package nn

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

var noSplit = flag.Bool("nosplit", false, "run matrix products unsplit (compare with the row-block split)")

// benchShape is a denoiser size and batch: the paper's power and synthetic
// networks at the batch sizes of a training step and of DDIM sampling.
type benchShape struct {
	name             string
	ydim, xdim, h, n int
}

// bodyFlops is the floating-point work of the body's matrix products for one
// forward pass over n rows (2·n·Σ in·out; the time MLP runs per distinct
// step and is left out).
func bodyFlops(cfg DenoiserConfig, n int) float64 {
	cfg = cfg.withDefaults()
	macs := cfg.In()*cfg.Hidden + (cfg.Blocks-1)*cfg.Hidden*cfg.Hidden + cfg.Hidden*cfg.YDim
	return 2 * float64(n) * float64(macs)
}

// reportCPU adds the process's CPU time per operation and the rate of
// flops floating-point operations per CPU-second: figures that a shared
// machine's load disturbs far less than wall time (on an idle 2-core
// machine wall time is about half the CPU time when both cores work).
func reportCPU(b *testing.B, flops float64, cpu time.Duration) {
	if cpu <= 0 {
		return
	}
	b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/op")
	if flops > 0 {
		b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
}

func benchDenoiser(s benchShape) (*Denoiser, *Matrix, []int, *Matrix, *Matrix) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := NewDenoiser(DenoiserConfig{YDim: s.ydim, XDim: s.xdim, Hidden: s.h, Blocks: 3}, rng)
	d.ws.gemm.whole, d.Time.ws.gemm.whole = *noSplit, *noSplit
	yt, t, x := denoiserInputs(rng, d, s.n, 1000)
	return d, yt, t, x, randMatrix(rng, s.n, s.ydim, 1)
}

// BenchmarkDenoiserTrainStep is one training step: forward with a tape,
// backward, Adam. The README's Performance section sets these figures beside
// PyTorch's for the same shapes.
func BenchmarkDenoiserTrainStep(b *testing.B) {
	for _, s := range []benchShape{
		{"power/h256", 24, 149, 256, 1024},
		{"power/h1024", 24, 149, 1024, 1024},
		{"synthetic/h256", 10, 20, 256, 1024},
	} {
		b.Run(s.name, func(b *testing.B) {
			d, yt, t, x, w := benchDenoiser(s)
			opt := NewAdam(d.Params(), 1e-4)
			tape := &Tape{}
			step := func() {
				opt.ZeroGrad()
				d.Forward(yt, t, x, tape)
				d.Backward(tape, w)
				opt.Step()
			}
			step() // size the workspace
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			for b.Loop() {
				step()
			}
			flops := 3 * bodyFlops(d.Config(), s.n) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			reportCPU(b, flops, processCPU()-cpu)
			b.ReportMetric(float64(tape.PeakBytes())/float64(s.n), "tapeB/row")
		})
	}
}

// BenchmarkDenoiserForward is one DDIM step: 1600 rows sharing one t, no
// tape (a sampling run is 50 of them).
func BenchmarkDenoiserForward(b *testing.B) {
	s := benchShape{"power/h256", 24, 149, 256, 1600}
	b.Run(s.name, func(b *testing.B) {
		d, yt, t, x, _ := benchDenoiser(s)
		for i := range t {
			t[i] = 500
		}
		d.Forward(yt, t, x, nil)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			d.Forward(yt, t, x, nil)
		}
		b.ReportMetric(bodyFlops(d.Config(), s.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkRowKernels times the elementwise row passes on a 1024 × 256
// block, reported per element.
func BenchmarkRowKernels(b *testing.B) {
	const rows, cols = 1024, 256
	rng := rand.New(rand.NewPCG(3, 4))
	x, y, dy := randMatrix(rng, rows, cols, 1), NewMatrix(rows, cols), randMatrix(rng, rows, cols, 1)
	g, beta := make([]float32, cols), make([]float32, cols)
	for j := range g {
		g[j] = 1
	}
	parts := make([]float32, 2*cols)
	rstd := make([]float32, rows)
	run := func(name string, f func(i int)) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				for i := range rows {
					f(i)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows*cols), "ns/elem")
		})
	}
	run("sigmoid", func(i int) { rowKern.sigmoidRow(x.Row(i), y.Row(i)) })
	run("lnForward", func(i int) { _, rstd[i] = lnForwardRow(x.Row(i), g, beta, LayerNormEps, nil, y.Row(i)) })
	run("lnBackward", func(i int) { lnBackwardRow(dy.Row(i), x.Row(i), g, 1, y.Row(i), parts[:cols], parts[cols:]) })
	xh, dp := NewMatrix(1, cols), NewMatrix(rows, cols)
	run("blockBackward", func(i int) { // the Denoiser's fused LayerNorm+SiLU backward
		blockRow{s: x.Row(i), sig: y.Row(i), mu: 0.1, rstd: 1.2}.backward(dy.Row(i), g, dp.Row(i), xh.Data, parts[:cols], parts[cols:], beta)
	})
	run("siluBackward", func(i int) {
		actBackwardRow(ActSiLU, dy.Row(i), x.Row(i), y.Row(i), parts[:cols], beta)
	})
}
