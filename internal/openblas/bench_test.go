package openblas

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchBackend is one way to run a product: gonum with a GOMAXPROCS limit
// or OpenBLAS with a thread count.
type benchBackend struct {
	name    string
	procs   int // GOMAXPROCS while gonum runs; 0 for OpenBLAS
	threads int // OpenBLAS threads; 0 for gonum
}

var benchBackends = []benchBackend{
	{"gonum/procs1", 1, 0}, {"gonum/procs2", 2, 0},
	{"openblas/threads1", 0, 1}, {"openblas/threads2", 0, 2},
}

// prepare returns the float32 GEMM of backend be and a function restoring
// the process state, or skips when OpenBLAS is wanted but missing.
func (be benchBackend) prepare(b *testing.B) (blas.Float32, func()) {
	if be.threads == 0 {
		old := runtime.GOMAXPROCS(be.procs)
		return gonum.Implementation{}, func() { runtime.GOMAXPROCS(old) }
	}
	lib := loadOrSkip(b)
	old := lib.Threads()
	lib.SetThreads(be.threads)
	return lib.Implementation(), func() { lib.SetThreads(old) }
}

// reportGFLOPs adds the rate of 2·m·n·k flops per product, count products
// per iteration, as a custom metric.
func reportGFLOPs(b *testing.B, m, n, k, count int) {
	flops := 2 * float64(m) * float64(n) * float64(k) * float64(count) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm times the paper's denoiser products, forward and backward,
// in gonum and in OpenBLAS with 1 and 2 threads.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range paperShapes {
		for _, d := range gemmDirs {
			for _, be := range benchBackends {
				b.Run(fmt.Sprintf("%dx%dx%d/%s/%s", s.m, s.k, s.n, d.name, be.name), func(b *testing.B) {
					impl, restore := be.prepare(b)
					defer restore()
					m, n, k, a, lda, bm, ldb := operands(rand.New(rand.NewPCG(1, 2)), d, s)
					c := make([]float32, m*n)
					for b.Loop() {
						impl.Sgemm(d.tA, d.tB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
					}
					reportGFLOPs(b, m, n, k, 1)
				})
			}
		}
	}
}

// BenchmarkDgemm times float64 products of two of the paper's shapes, for
// the solvers that use blas64.
func BenchmarkDgemm(b *testing.B) {
	for _, s := range []paperShape{{1024, 256, 256}, {1024, 1024, 1024}} {
		for _, be := range benchBackends {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.k, s.n, be.name), func(b *testing.B) {
				impl32, restore := be.prepare(b)
				defer restore()
				impl := impl32.(blas.Float64)
				rng := rand.New(rand.NewPCG(1, 2))
				a, bm, c := randSlice[float64](rng, s.m*s.k), randSlice[float64](rng, s.k*s.n), make([]float64, s.m*s.n)
				for b.Loop() {
					impl.Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
				}
				reportGFLOPs(b, s.m, s.n, s.k, 1)
			})
		}
	}
}

// BenchmarkCrossover times small cubes and thin products in gonum, in
// OpenBLAS (every size forced through the library) and as routed by
// Implementation, to place minWork and minRows.
func BenchmarkCrossover(b *testing.B) {
	lib := loadOrSkip(b)
	for _, s := range []paperShape{{2, 2, 2}, {4, 4, 4}, {8, 8, 8}, {10, 10, 10}, {12, 12, 12}, {16, 16, 16}, {24, 24, 24}, {32, 32, 32}, {64, 64, 64}, {1, 64, 64}, {64, 1, 64}, {256, 16, 1}, {16, 16, 256}, {1, 1024, 1024}, {1024, 1024, 1}, {2, 1024, 1024}, {3, 1024, 1024}, {4, 1024, 1024}, {8, 1024, 1024}, {1600, 1024, 24}, {1024, 1600, 24}, {1600, 24, 1024}, {1600, 256, 24}, {1600, 46, 256}} {
		rng := rand.New(rand.NewPCG(1, 2))
		a, bm, c := randSlice[float32](rng, s.m*s.k), randSlice[float32](rng, s.k*s.n), make([]float32, s.m*s.n)
		for _, impl := range []struct {
			name string
			blas.Float32
		}{{"gonum", gonum.Implementation{}}, {"openblas", Implementation{lib: lib, force: true}}, {"routed", lib.Implementation()}} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.k, s.n, impl.name), func(b *testing.B) {
				for b.Loop() {
					impl.Sgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
				}
				reportGFLOPs(b, s.m, s.n, s.k, 1)
			})
		}
	}
}

// BenchmarkConcurrent times two goroutines each computing its own product
// at once, as when pipeline workers or row chunks share the two cores;
// compare with BenchmarkSgemm's single product of the same shape.
func BenchmarkConcurrent(b *testing.B) {
	for _, s := range []paperShape{{1024, 256, 256}, {1600, 1024, 1024}} {
		for _, be := range benchBackends {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.k, s.n, be.name), func(b *testing.B) {
				impl, restore := be.prepare(b)
				defer restore()
				rng := rand.New(rand.NewPCG(1, 2))
				a, bm := randSlice[float32](rng, s.m*s.k), randSlice[float32](rng, s.k*s.n)
				cs := [2][]float32{make([]float32, s.m*s.n), make([]float32, s.m*s.n)}
				for b.Loop() {
					var wg sync.WaitGroup
					for _, c := range cs {
						wg.Go(func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n) })
					}
					wg.Wait()
				}
				reportGFLOPs(b, s.m, s.n, s.k, len(cs))
			})
		}
	}
}
