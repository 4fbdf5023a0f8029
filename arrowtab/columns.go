package arrowtab

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

func column(rec arrow.Record, name string) (arrow.Array, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: no column %q", ErrSchema, name)
	}
	return rec.Column(idx[0]), nil
}

// Float64s returns a copy of a float64 or float32 column as float64.
func Float64s(rec arrow.Record, name string) ([]float64, error) {
	c, err := column(rec, name)
	if err != nil {
		return nil, err
	}
	switch a := c.(type) {
	case *array.Float64:
		return append([]float64(nil), a.Float64Values()...), nil
	case *array.Float32:
		out := make([]float64, a.Len())
		for i, v := range a.Float32Values() {
			out[i] = float64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: column %q is %s, want float64", ErrSchema, name, c.DataType())
}

// Float32s returns a copy of a float32 column.
func Float32s(rec arrow.Record, name string) ([]float32, error) {
	c, err := column(rec, name)
	if err != nil {
		return nil, err
	}
	a, ok := c.(*array.Float32)
	if !ok {
		return nil, fmt.Errorf("%w: column %q is %s, want float32", ErrSchema, name, c.DataType())
	}
	return append([]float32(nil), a.Float32Values()...), nil
}

// Int64s returns a copy of an int64 column.
func Int64s(rec arrow.Record, name string) ([]int64, error) {
	c, err := column(rec, name)
	if err != nil {
		return nil, err
	}
	a, ok := c.(*array.Int64)
	if !ok {
		return nil, fmt.Errorf("%w: column %q is %s, want int64", ErrSchema, name, c.DataType())
	}
	return append([]int64(nil), a.Int64Values()...), nil
}

// Strings returns a copy of a string column.
func Strings(rec arrow.Record, name string) ([]string, error) {
	c, err := column(rec, name)
	if err != nil {
		return nil, err
	}
	a, ok := c.(*array.String)
	if !ok {
		return nil, fmt.Errorf("%w: column %q is %s, want string", ErrSchema, name, c.DataType())
	}
	out := make([]string, a.Len())
	for i := range out {
		out[i] = a.Value(i)
	}
	return out, nil
}
