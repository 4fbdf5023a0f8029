package nn

import (
	"runtime"

	"github.com/diffusion-dfl/pipe/pipeline/cores"
)

// Elementwise and row passes run over fixed chunks of rows. The chunk
// boundaries depend only on the matrix shape, never on the number of
// workers, and every reduction keeps one partial sum per chunk that is
// combined in chunk order afterwards, so results are bit-identical for any
// GOMAXPROCS, and for however many idle cores a pass gets to borrow
// (package cores): a pass whose cores are all held by other stages runs its
// chunks in order on the calling goroutine.

// chunkRows is the number of rows in one chunk of a row pass.
const chunkRows = 64

// serialWork is the number of elements below which a pass runs on the
// calling goroutine: starting workers costs more than the work itself.
const serialWork = 1 << 14

// numChunks is the number of chunkRows-row chunks covering n rows.
func numChunks(n int) int { return (n + chunkRows - 1) / chunkRows }

// forChunks calls fn(c, lo, hi) for every chunk c of rows [lo, hi) of an
// n-row pass, spreading chunks over up to GOMAXPROCS goroutines. width is
// the number of elements per row, used only to decide whether to go
// parallel. fn must write only to memory owned by its chunk.
func forChunks(n, width int, fn func(c, lo, hi int)) {
	nc := numChunks(n)
	workers := min(runtime.GOMAXPROCS(0), nc)
	if workers <= 1 || n*width < serialWork {
		for c := range nc {
			fn(c, c*chunkRows, min(n, (c+1)*chunkRows))
		}
		return
	}
	cores.Do(nc, workers, func(c int) {
		fn(c, c*chunkRows, min(n, (c+1)*chunkRows))
	})
}

// sumPartials adds the per-chunk partial sums parts (nc rows of len(dst)
// values, chunk-major) into dst, summing in float64 in chunk order (float64
// scratch slot 0 of ws).
//
// Within a chunk the partial sums are float32 over at most chunkRows rows,
// a relative error of order √64·2⁻²⁴ ≈ 5e-7, no worse than the float32
// weight gradients that BLAS accumulates over all rows; the sum across
// chunks, where the rows add up, is float64.
func sumPartials(dst []float32, parts []float32, nc int, ws *workspace) {
	w := len(dst)
	acc := ws.zero64(0, w)
	for c := range nc {
		row := parts[c*w : (c+1)*w]
		for j, v := range row {
			acc[j] += float64(v)
		}
	}
	for j, v := range acc {
		dst[j] += float32(v)
	}
}
