package arrowtab

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"
)

// DenseRecord converts a matrix to a record of float64 columns named cols
// (c0, c1, … when cols is nil), with the given schema metadata.
func DenseRecord(m mat.Matrix, cols []string, meta map[string]string, opts ...Option) (arrow.Record, error) {
	r, c := m.Dims()
	if cols == nil {
		cols = make([]string, c)
		for j := range cols {
			cols[j] = fmt.Sprintf("c%d", j)
		}
	}
	if len(cols) != c {
		return nil, fmt.Errorf("%w: %d column names for %d columns", ErrSchema, len(cols), c)
	}
	b := NewBuilder(opts...)
	col := make([]float64, r)
	for j := 0; j < c; j++ {
		mat.Col(col, j, m)
		b.Float64(cols[j], col)
	}
	return b.Record(meta)
}

// RecordDense reads the named float64 (or float32) columns of rec into a
// rows × len(cols) matrix; with no names it reads every floating column.
func RecordDense(rec arrow.Record, cols ...string) (*mat.Dense, error) {
	if len(cols) == 0 {
		for i, f := range rec.Schema().Fields() {
			if f.Type.ID() == arrow.FLOAT64 || f.Type.ID() == arrow.FLOAT32 {
				cols = append(cols, rec.ColumnName(i))
			}
		}
	}
	r := int(rec.NumRows())
	if r == 0 || len(cols) == 0 {
		return nil, fmt.Errorf("%w: empty matrix (%d rows, %d columns)", ErrSchema, r, len(cols))
	}
	m := mat.NewDense(r, len(cols), nil)
	for j, name := range cols {
		v, err := Float64s(rec, name)
		if err != nil {
			return nil, err
		}
		m.SetCol(j, v)
	}
	return m, nil
}
