package arrowtab

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ErrSchema reports a record that lacks a column, or has one of the wrong type.
var ErrSchema = errors.New("arrowtab: schema mismatch")

// Builder assembles a record column by column. Columns must all have the same
// length; the first mismatch is reported by Record.
type Builder struct {
	mem    memory.Allocator
	fields []arrow.Field
	cols   []arrow.Array
	err    error
}

// NewBuilder starts an empty record.
func NewBuilder(opts ...Option) *Builder {
	return &Builder{mem: applyOptions(opts).mem}
}

func (b *Builder) add(name string, arr arrow.Array) *Builder {
	if b.err == nil && len(b.cols) > 0 && b.cols[0].Len() != arr.Len() {
		b.err = fmt.Errorf("%w: column %q has %d rows, want %d", ErrSchema, name, arr.Len(), b.cols[0].Len())
	}
	b.fields = append(b.fields, arrow.Field{Name: name, Type: arr.DataType()})
	b.cols = append(b.cols, arr)
	return b
}

// Float64 appends a float64 column.
func (b *Builder) Float64(name string, v []float64) *Builder {
	bld := array.NewFloat64Builder(b.mem)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Float32 appends a float32 column.
func (b *Builder) Float32(name string, v []float32) *Builder {
	bld := array.NewFloat32Builder(b.mem)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Int64 appends an int64 column.
func (b *Builder) Int64(name string, v []int64) *Builder {
	bld := array.NewInt64Builder(b.mem)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// String appends a string column.
func (b *Builder) String(name string, v []string) *Builder {
	bld := array.NewStringBuilder(b.mem)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Bool appends a boolean column.
func (b *Builder) Bool(name string, v []bool) *Builder {
	bld := array.NewBooleanBuilder(b.mem)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Record returns the assembled record with the given schema metadata; the
// caller must Release it. The builder gives up its columns either way, so
// Record is called once.
func (b *Builder) Record(meta map[string]string) (arrow.Record, error) {
	defer func() {
		for _, c := range b.cols {
			c.Release()
		}
		b.cols = nil
	}()
	if b.err != nil {
		return nil, b.err
	}
	n := int64(0)
	if len(b.cols) > 0 {
		n = int64(b.cols[0].Len())
	}
	return array.NewRecord(arrow.NewSchema(b.fields, Metadata(meta)), b.cols, n), nil
}
