package stages

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// split is the rows of one dataset split in the forms the stages use:
// features as float32 network input, targets in float64 (task costs) and
// float32 (network targets).
type split struct {
	name string
	x    *nn.Matrix // N × dx
	y    *mat.Dense // N × dy, raw units
	yf   *nn.Matrix // N × dy, raw units, float32
}

// splitOf returns the rows of d in split s, in row order.
func splitOf(d *datasets.Dataset, s datasets.Split) *split {
	sub := d.Subset(s)
	return &split{name: s.String(), x: toNN(sub.X), y: sub.Y, yf: toNN(sub.Y)}
}

// n is the number of rows.
func (s *split) n() int { return s.x.Rows }

// rows returns the rows idx of s, in that order.
func (s *split) rows(idx []int) *split {
	_, dy := s.y.Dims()
	y := mat.NewDense(max(len(idx), 1), dy, nil)
	for i, r := range idx {
		y.SetRow(i, s.y.RawRowView(r))
	}
	if len(idx) == 0 {
		panic("stages: empty row selection")
	}
	return &split{name: s.name, x: gatherNN(s.x, idx), y: y, yf: gatherNN(s.yf, idx)}
}

// needRows returns an error naming the split when it has no rows.
func (s *split) needRows(what string) error {
	if s.n() == 0 {
		return fmt.Errorf("%w: the %s split has no rows, %s needs some", ErrInput, s.name, what)
	}
	return nil
}

// toNN converts a float64 matrix to the networks' float32 matrix.
func toNN(m mat.Matrix) *nn.Matrix {
	r, c := m.Dims()
	out := nn.NewMatrix(r, c)
	for i := 0; i < r; i++ {
		row := out.Row(i)
		for j := range row {
			row[j] = float32(m.At(i, j))
		}
	}
	return out
}

// toDense converts a float32 matrix to float64.
func toDense(m *nn.Matrix) *mat.Dense {
	out := mat.NewDense(max(m.Rows, 1), max(m.Cols, 1), nil)
	if m.Rows == 0 || m.Cols == 0 {
		panic("stages: toDense of an empty matrix")
	}
	raw := out.RawMatrix().Data
	for i, v := range m.Data {
		raw[i] = float64(v)
	}
	return out
}

// gatherNN returns the rows idx of m.
func gatherNN(m *nn.Matrix, idx []int) *nn.Matrix {
	out := nn.NewMatrix(len(idx), m.Cols)
	for i, r := range idx {
		copy(out.Row(i), m.Row(r))
	}
	return out
}

// sliceRows returns rows [lo, hi) of m as a new matrix.
func sliceRows(m *nn.Matrix, lo, hi int) *nn.Matrix {
	out := nn.NewMatrix(hi-lo, m.Cols)
	copy(out.Data, m.Data[lo*m.Cols:hi*m.Cols])
	return out
}

// rowRange returns lo, lo+1, …, hi−1.
func rowRange(lo, hi int) []int {
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = lo + i
	}
	return idx
}
