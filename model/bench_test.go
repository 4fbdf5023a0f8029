package model

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/internal/openblas"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// TestMain installs the BLAS chosen by PIPE_BLAS ("go", "openblas" or auto),
// so the benchmarks can be run with gonum's kernels and with OpenBLAS.
func TestMain(m *testing.M) {
	info, err := openblas.UseFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if os.Getenv(openblas.EnvBackend) != "" {
		fmt.Fprintln(os.Stderr, "model tests:", info)
	}
	os.Exit(m.Run())
}

// peakHeap samples the runtime's live heap-object bytes every millisecond
// while a benchmark runs and reports the peak above the level found after a
// GC at the start. It is a Go-heap measure: it excludes the process's
// baseline (PyTorch's figures include ≈260 MiB of its own) and includes
// garbage not yet collected.
type peakHeap struct {
	base, peak uint64
	stop       chan struct{}
	wg         sync.WaitGroup
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startPeakHeap() *peakHeap {
	runtime.GC()
	p := &peakHeap{base: heapObjects(), stop: make(chan struct{})}
	p.peak = p.base
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.peak = max(p.peak, heapObjects())
			}
		}
	}()
	return p
}

// reportCPU adds the process's CPU time per operation, which a shared
// machine's load disturbs far less than wall time.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/op")
	}
}

// report stops sampling and adds the peak-heap-MiB metric.
func (p *peakHeap) report(b *testing.B) {
	close(p.stop)
	p.wg.Wait()
	p.peak = max(p.peak, heapObjects())
	b.ReportMetric(float64(p.peak-p.base)/(1<<20), "peak-heap-MiB")
}

// powerBench is the power task's shape (ydim 24, xdim 149) with B = 64
// contexts and M = 25 samples each: 1600 rows.
func powerBench(h int) (*Diffusion, *nn.Matrix) {
	net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 24, XDim: 149, Hidden: h, Blocks: 3}, newRNG(1))
	return NewDiffusion(net, DefaultSchedule()), randMatrix(64, 149, newRNG(2))
}

func BenchmarkDDIMSample(b *testing.B) {
	for _, h := range []int{256, 1024} {
		b.Run(fmt.Sprintf("h=%d/S=50", h), func(b *testing.B) {
			d, x := powerBench(h)
			ph := startPeakHeap()
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := d.Sample(context.Background(), x, 25, Sampler{Steps: 50}, newRNG(uint64(i))); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, processCPU()-cpu)
			ph.report(b)
		})
	}
}

// BenchmarkScoreFunction times the surrogate alone: 1600 detached samples ×
// K = 10 timesteps, forward and backward in chunks of DefaultChunk rows.
func BenchmarkScoreFunction(b *testing.B) {
	for _, h := range []int{256, 1024} {
		b.Run(fmt.Sprintf("h=%d/K=10", h), func(b *testing.B) {
			d, x := powerBench(h)
			y, w := randMatrix(1600, 24, newRNG(3)), make([]float64, 1600)
			for i := range w {
				w[i] = float64(i%5) - 2
			}
			var tape int64
			ph := startPeakHeap()
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				r, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 10, Scale: 1.0 / 25}, newRNG(uint64(i)))
				if err != nil {
					b.Fatal(err)
				}
				tape = r.TapeBytes
			}
			reportCPU(b, processCPU()-cpu)
			ph.report(b)
			b.ReportMetric(float64(tape)/(1<<20), "tape-MiB")
		})
	}
}

// BenchmarkEstimator runs each estimator's whole pass for 1600 rows at
// h = 256: score function = DDIM sampling without tape + the K = 10
// surrogate; reparameterization = sampling with a tape through S steps +
// back-propagation of dL/dy through the chain (optionally checkpointed).
// BenchmarkEstimator times one estimator pass on the power shape (64
// contexts × 25 samples) at S = 20, 50 and 100 and reports its memory: the
// reparameterized chain's activation tape (tape-MiB, the memory that grows
// with S) and the Go heap peak above the level after a GC. Measure memory
// one sub-benchmark per process (-bench 'Estimator/sf/S=50$'): the
// Denoiser's recycled slabs from an earlier sub-benchmark, and their
// release, shift the next one's heap figures. Measured that way on the
// project's machine: score function 12.5 / 12.7 / 12.1 MiB heap peak at
// S = 20 / 50 / 100; reparameterization tapes of 196 / 489 / 978 MiB
// (98 MiB at S = 100 with checkpoints every 10 steps).
func BenchmarkEstimator(b *testing.B) {
	d, x := powerBench(256)
	ctx := context.Background()
	dy, w := randMatrix(1600, 24, newRNG(3)), make([]float64, 1600)
	for _, S := range []int{20, 50, 100} {
		b.Run(fmt.Sprintf("sf/S=%d", S), func(b *testing.B) {
			ph := startPeakHeap()
			for i := 0; i < b.N; i++ {
				y, err := d.Sample(ctx, x, 25, Sampler{Steps: S}, newRNG(uint64(i)))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := d.ScoreFunction(ctx, y, x, w, ScoreFunction{K: 10, Scale: 1.0 / 25}, newRNG(uint64(i))); err != nil {
					b.Fatal(err)
				}
			}
			ph.report(b)
		})
		for _, ck := range []int{0, 10} {
			if ck > 0 && S != 100 {
				continue
			}
			b.Run(fmt.Sprintf("reparam/S=%d/checkpoint=%d", S, ck), func(b *testing.B) {
				var tape int64
				ph := startPeakHeap()
				for i := 0; i < b.N; i++ {
					ch, err := d.SampleReparam(ctx, x, 25, Reparam{Sampler: Sampler{Steps: S}, Checkpoint: ck}, newRNG(uint64(i)))
					if err != nil {
						b.Fatal(err)
					}
					if err := ch.Backward(ctx, dy); err != nil {
						b.Fatal(err)
					}
					tape = ch.TapeBytes()
				}
				ph.report(b)
				b.ReportMetric(float64(tape)/(1<<20), "tape-MiB")
			})
		}
	}
}
