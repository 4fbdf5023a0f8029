package nn

// workspace holds a network's scratch buffers between calls, so that steady
// state forward and backward passes allocate nothing but their outputs and
// tape records. Buffers only grow. A workspace belongs to one network and is
// not safe for concurrent use, which is why networks are not either.
type workspace struct {
	f32 [][]float32
	f64 [][]float64
	// free holds recycled tape slabs (see takeSlab).
	free [][]float32
}

// maxFreeSlabs bounds the recycled tape slabs a workspace keeps. A training
// step needs one; a reparameterized chain of S steps returns S slabs at once
// and keeping them all would pin S records' memory for the network's life.
const maxFreeSlabs = 2

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

// takeSlab returns a buffer of n elements for a tape record, reusing a
// recycled one of capacity n to 2n when there is one. Its content is stale:
// the record's forward pass must write every element.
func (w *workspace) takeSlab(n int) []float32 {
	for i, s := range w.free {
		if cap(s) >= n && cap(s) <= 2*n {
			last := len(w.free) - 1
			w.free[i] = w.free[last]
			w.free[last] = nil
			w.free = w.free[:last]
			return s[:n]
		}
	}
	return make([]float32, n)
}

// giveSlab recycles a tape record's buffer once its backward pass is done.
func (w *workspace) giveSlab(s []float32) {
	if len(w.free) < maxFreeSlabs {
		w.free = append(w.free, s[:cap(s)])
	}
}

// release drops every buffer.
func (w *workspace) release() { *w = workspace{} }

// view wraps the first rows·cols elements of buf as a matrix.
func view(buf []float32, rows, cols int) *Matrix {
	return &Matrix{Rows: rows, Cols: cols, Data: buf[:rows*cols]}
}
