package artifacts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"gonum.org/v1/gonum/mat"
)

// MetaKind is the schema metadata key that names what an artifact is
// (for example "dataset.power", "model.params", "table.results").
const MetaKind = "pipe.kind"

// ErrSchema reports a record that lacks a column, or has one of the wrong type.
var ErrSchema = errors.New("artifacts: schema mismatch")

// Marshal encodes rec as an Arrow IPC file (one record batch). The writer
// options are pinned (no compression, default alignment, metadata in sorted
// key order), so equal data always gives equal bytes and equal digests.
func Marshal(rec arrow.Record) ([]byte, error) {
	schema := sortedMetaSchema(rec.Schema())
	if schema != rec.Schema() {
		rec = array.NewRecord(schema, rec.Columns(), rec.NumRows())
		defer rec.Release()
	}
	var buf seekBuffer
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, fmt.Errorf("arrow ipc writer: %w", err)
	}
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("arrow ipc write: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("arrow ipc close: %w", err)
	}
	return buf.b, nil
}

// Unmarshal decodes an Arrow IPC file written by Marshal (or any Arrow IPC
// file with one or more batches, which are concatenated). The caller owns the
// returned record and must Release it.
func Unmarshal(b []byte) (arrow.Record, error) {
	r, err := ipc.NewFileReader(bytes.NewReader(b), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, fmt.Errorf("arrow ipc reader: %w", err)
	}
	defer r.Close()
	n := r.NumRecords()
	if n == 1 {
		rec, err := r.Record(0)
		if err != nil {
			return nil, fmt.Errorf("arrow ipc read: %w", err)
		}
		rec.Retain()
		return rec, nil
	}
	recs := make([]arrow.Record, 0, n)
	for i := 0; i < n; i++ {
		rec, err := r.Record(i)
		if err != nil {
			return nil, fmt.Errorf("arrow ipc read batch %d: %w", i, err)
		}
		recs = append(recs, rec)
	}
	tbl := array.NewTableFromRecords(r.Schema(), recs)
	defer tbl.Release()
	return tableToRecord(tbl)
}

// tableToRecord concatenates a table's chunks into one record.
func tableToRecord(tbl arrow.Table) (arrow.Record, error) {
	cols := make([]arrow.Array, tbl.NumCols())
	for i := range cols {
		chunks := tbl.Column(i).Data().Chunks()
		if len(chunks) == 0 {
			cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, tbl.Schema().Field(i).Type, 0)
			continue
		}
		c, err := array.Concatenate(chunks, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	rec := array.NewRecord(tbl.Schema(), cols, tbl.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

func sortedMetaSchema(s *arrow.Schema) *arrow.Schema {
	md := s.Metadata()
	keys := md.Keys()
	if sort.StringsAreSorted(keys) {
		return s
	}
	m := make(map[string]string, len(keys))
	for i, k := range keys {
		m[k] = md.Values()[i]
	}
	return arrow.NewSchema(s.Fields(), Metadata(m))
}

// Metadata builds schema metadata from m with its keys in sorted order, so
// that equal maps give byte-identical IPC schemas (and equal digests).
func Metadata(m map[string]string) *arrow.Metadata {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return &md
}

// Meta returns the schema metadata value for key.
func Meta(rec arrow.Record, key string) (string, bool) {
	md := rec.Schema().Metadata()
	i := md.FindKey(key)
	if i < 0 {
		return "", false
	}
	return md.Values()[i], true
}

// Builder assembles a record column by column. Columns must all have the same
// length; the first mismatch is reported by Record.
type Builder struct {
	fields []arrow.Field
	cols   []arrow.Array
	err    error
}

// NewBuilder starts an empty record.
func NewBuilder() *Builder { return &Builder{} }

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
	bld := array.NewFloat64Builder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Float32 appends a float32 column.
func (b *Builder) Float32(name string, v []float32) *Builder {
	bld := array.NewFloat32Builder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Int64 appends an int64 column.
func (b *Builder) Int64(name string, v []int64) *Builder {
	bld := array.NewInt64Builder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// String appends a string column.
func (b *Builder) String(name string, v []string) *Builder {
	bld := array.NewStringBuilder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Bool appends a boolean column.
func (b *Builder) Bool(name string, v []bool) *Builder {
	bld := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return b.add(name, bld.NewArray())
}

// Record returns the assembled record with the given schema metadata; the
// caller must Release it.
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

// DenseRecord converts a matrix to a record of float64 columns named cols
// (c0, c1, … when cols is nil), with the given schema metadata.
func DenseRecord(m mat.Matrix, cols []string, meta map[string]string) (arrow.Record, error) {
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
	b := NewBuilder()
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

// seekBuffer is an in-memory io.WriteSeeker for the IPC file writer.
type seekBuffer struct {
	b   []byte
	pos int
}

func (s *seekBuffer) Write(p []byte) (int, error) {
	end := s.pos + len(p)
	if end > len(s.b) {
		s.b = append(s.b, make([]byte, end-len(s.b))...)
	}
	copy(s.b[s.pos:], p)
	s.pos = end
	return len(p), nil
}

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	var p int64
	switch whence {
	case io.SeekStart:
		p = off
	case io.SeekCurrent:
		p = int64(s.pos) + off
	case io.SeekEnd:
		p = int64(len(s.b)) + off
	}
	if p < 0 {
		return 0, errors.New("artifacts: negative seek")
	}
	s.pos = int(p)
	return p, nil
}
