package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas32"
)

// Matrix is a dense row-major float32 matrix (stride = Cols). A batch of
// examples is a Matrix with one example per row.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zeroed rows × cols matrix.
func NewMatrix(rows, cols int) *Matrix {
	return &Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// At returns element (i, j).
func (m *Matrix) At(i, j int) float32 { return m.Data[i*m.Cols+j] }

// Set sets element (i, j).
func (m *Matrix) Set(i, j int, v float32) { m.Data[i*m.Cols+j] = v }

// Row returns row i as a slice aliasing the matrix.
func (m *Matrix) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// General views m as a gonum BLAS matrix (no copy).
func (m *Matrix) General() blas32.General {
	return blas32.General{Rows: m.Rows, Cols: m.Cols, Stride: m.Cols, Data: m.Data}
}

// Clone returns a deep copy.
func (m *Matrix) Clone() *Matrix {
	return &Matrix{Rows: m.Rows, Cols: m.Cols, Data: append([]float32(nil), m.Data...)}
}

// String describes the matrix by its shape.
func (m *Matrix) String() string { return fmt.Sprintf("Matrix(%d×%d)", m.Rows, m.Cols) }

// Param is a learnable tensor and the gradient accumulated for it.
// Backward passes add into G; callers zero it between steps.
type Param struct {
	Name string // unique within a network, e.g. "body.0.linear.weight"
	W    *Matrix
	G    *Matrix
}

// Module is a differentiable map from a batch of rows to a batch of rows.
type Module interface {
	// Params lists the learnable parameters in a fixed order.
	Params() []*Param
	// Forward computes the output for input rows x. If tape is non-nil, the
	// activations Backward needs are pushed onto it.
	Forward(x *Matrix, tape *Tape) *Matrix
	// Backward pops what the matching Forward pushed, adds dL/dθ into the
	// parameters' G and returns dL/dx for the upstream gradient dy = dL/dout.
	Backward(tape *Tape, dy *Matrix) *Matrix
}

// Tape records the activations of forward passes, last in first out, so that
// the backward passes run in reverse order. One tape can span many forward
// passes (for example every step of a sampling chain).
//
// The tape also counts the bytes its records hold (see Sizer), and the peak of
// that count since the last Reset, so benchmarks can report activation memory.
type Tape struct {
	saved []any
	sizes []int64
	bytes int64
	peak  int64
}

// Sizer is implemented by tape records that report how many bytes of
// activation storage they hold.
type Sizer interface {
	TapeBytes() int64
}

// Push saves v.
func (t *Tape) Push(v any) {
	n := sizeOf(v)
	t.saved = append(t.saved, v)
	t.sizes = append(t.sizes, n)
	t.bytes += n
	t.peak = max(t.peak, t.bytes)
}

// Pop returns the most recently pushed value.
func (t *Tape) Pop() any {
	n := len(t.saved) - 1
	v := t.saved[n]
	t.saved[n] = nil
	t.saved = t.saved[:n]
	t.bytes -= t.sizes[n]
	t.sizes = t.sizes[:n]
	return v
}

// Len is the number of values on the tape.
func (t *Tape) Len() int { return len(t.saved) }

// Bytes is the activation storage currently held by the tape's records.
// Buffers shared by several records (a layer's output saved again as the
// next layer's input) are counted once per record.
func (t *Tape) Bytes() int64 { return t.bytes }

// PeakBytes is the largest Bytes since the tape was created or last Reset.
func (t *Tape) PeakBytes() int64 { return t.peak }

// Reset empties the tape.
func (t *Tape) Reset() {
	clear(t.saved)
	t.saved = t.saved[:0]
	t.sizes = t.sizes[:0]
	t.bytes, t.peak = 0, 0
}

// sizeOf is the storage a tape value holds: exact for Sizer records and
// plain buffers, zero for values of unknown type.
func sizeOf(v any) int64 {
	switch v := v.(type) {
	case Sizer:
		return v.TapeBytes()
	case *Matrix:
		return 4 * int64(len(v.Data))
	case []float32:
		return 4 * int64(len(v))
	case []float64:
		return 8 * int64(len(v))
	case []int:
		return 8 * int64(len(v))
	}
	return 0
}
