package openblas

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestConcurrentCalls runs several goroutines' products at once through
// OpenBLAS with 1 and 2 threads and checks each against the same product
// computed alone: concurrent calls must neither corrupt nor perturb one
// another (with a fixed thread count a product is bit-for-bit repeatable).
func TestConcurrentCalls(t *testing.T) {
	lib := loadOrSkip(t)
	impl := lib.Implementation()
	shapes := []paperShape{{200, 150, 100}, {300, 256, 256}, {64, 1000, 48}, {513, 77, 129}}
	for _, threads := range []int{1, 2} {
		withThreads(lib, threads, func() {
			type job struct {
				d                  gemmDir
				m, n, k, lda, ldb  int
				a, b, alone, inRun []float32
			}
			var jobs []*job
			rng := rand.New(rand.NewPCG(7, 8))
			for i, s := range shapes {
				j := &job{d: gemmDirs[i%len(gemmDirs)]}
				j.m, j.n, j.k, j.a, j.lda, j.b, j.ldb = operands(rng, j.d, s)
				j.alone = make([]float32, j.m*j.n)
				impl.Sgemm(j.d.tA, j.d.tB, j.m, j.n, j.k, 1, j.a, j.lda, j.b, j.ldb, 0, j.alone, j.n)
				jobs = append(jobs, j)
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(jobs))
			for _, j := range jobs {
				wg.Go(func() {
					for rep := range 20 {
						c := make([]float32, j.m*j.n)
						impl.Sgemm(j.d.tA, j.d.tB, j.m, j.n, j.k, 1, j.a, j.lda, j.b, j.ldb, 0, c, j.n)
						if i := firstDiff(c, j.alone); i >= 0 {
							errs <- fmt.Errorf("%d threads, %s %dx%dx%d, repetition %d: C[%d] = %v, alone %v", threads, j.d.name, j.m, j.k, j.n, rep, i, c[i], j.alone[i])
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
