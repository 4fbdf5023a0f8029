//go:build linux && !noopenblas

package openblas

import (
	"math/rand/v2"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
)

// TestSignalsDuringCalls sends process-directed signals while OpenBLAS's
// worker threads (created by C, not by Go) compute, and checks that Go
// still delivers every one to signal.Notify: the kernel may run Go's
// handler on an OpenBLAS thread, which works only if purego's runtime
// (runtime/cgo, or its fakecgo stand-in with CGO_ENABLED=0) is set up.
func TestSignalsDuringCalls(t *testing.T) {
	lib := loadOrSkip(t)
	withThreads(lib, 2, func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGUSR1)
		defer signal.Stop(sigs)
		var stop atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			impl := Implementation{lib: lib}
			rng := rand.New(rand.NewPCG(9, 10))
			const n = 384
			a, b, c := randSlice[float32](rng, n*n), randSlice[float32](rng, n*n), make([]float32, n*n)
			for !stop.Load() {
				impl.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, b, n, 0, c, n)
			}
		}()
		defer func() { stop.Store(true); <-done }()
		for i := range 50 {
			if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
				t.Fatal(err)
			}
			select {
			case <-sigs:
			case <-time.After(10 * time.Second):
				t.Fatalf("signal %d not delivered within 10 s", i)
			}
		}
	})
}
