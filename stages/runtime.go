package stages

import (
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"time"

	"github.com/diffusion-dfl/pipe/internal/openblas"
)

// blasBackend names the matrix-product kernel in use, for the stage logs.
func blasBackend() string {
	if openblas.Enabled() {
		return "blas: openblas"
	}
	return "blas: gonum (pure Go)"
}

// heapObjects is the Go heap in use by live and not yet swept objects.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapPeak samples the Go heap every millisecond between start and stop
// and reports its peak above the level found after a GC at the start: the
// working memory of what ran in between (an upper bound, since garbage not
// yet collected counts).
type heapPeak struct {
	base, peak uint64
	stopc      chan struct{}
	wg         sync.WaitGroup
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{base: heapObjects(), stopc: make(chan struct{})}
	h.peak = h.base
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stopc:
				return
			case <-tick.C:
				h.peak = max(h.peak, heapObjects())
			}
		}
	}()
	return h
}

// stop ends sampling and returns the peak bytes above the start.
func (h *heapPeak) stop() uint64 {
	close(h.stopc)
	h.wg.Wait()
	h.peak = max(h.peak, heapObjects())
	return h.peak - h.base
}

// median returns the median of v (0 for none); v is not modified.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
