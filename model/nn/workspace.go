package nn

// workspace holds a network's scratch buffers between calls, so that steady
// state forward and backward passes allocate nothing but their outputs and
// tape records. Buffers only grow. A workspace belongs to one network and is
// not safe for concurrent use, which is why networks are not either.
type workspace struct {
	f32 [][]float32
	f64 [][]float64
	// slabs recycles tape-record slabs (denoiser_slabs.go).
	slabs slabPool
	// gemm is how the network's matrix products run (linear.go).
	gemm gemmPlan
}

// buf32 returns scratch slot i with at least n elements; its content is
// whatever the previous user left.
func (w *workspace) buf32(i, n int) []float32 {
	for len(w.f32) <= i {
		w.f32 = append(w.f32, nil)
	}
	if cap(w.f32[i]) < n {
		w.f32[i] = make([]float32, n)
	}
	return w.f32[i][:n]
}

// buf64 returns float64 scratch slot i with at least n elements.
func (w *workspace) buf64(i, n int) []float64 {
	for len(w.f64) <= i {
		w.f64 = append(w.f64, nil)
	}
	if cap(w.f64[i]) < n {
		w.f64[i] = make([]float64, n)
	}
	return w.f64[i][:n]
}

// zero32 is buf32 cleared to zero.
func (w *workspace) zero32(i, n int) []float32 {
	b := w.buf32(i, n)
	clear(b)
	return b
}

// zero64 is buf64 cleared to zero.
func (w *workspace) zero64(i, n int) []float64 {
	b := w.buf64(i, n)
	clear(b)
	return b
}

// release drops every buffer.
func (w *workspace) release() { *w = workspace{gemm: w.gemm} }

// view wraps the first rows·cols elements of buf as a matrix.
func view(buf []float32, rows, cols int) *Matrix {
	return &Matrix{Rows: rows, Cols: cols, Data: buf[:rows*cols]}
}
