package arrowtab

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Marshal encodes rec as an Arrow IPC file (one record batch). The writer
// options are pinned (no compression, default alignment, metadata in sorted
// key order), so equal data always gives equal bytes and equal digests.
func Marshal(rec arrow.Record, opts ...Option) ([]byte, error) {
	o := applyOptions(opts)
	schema := sortedMetaSchema(rec.Schema())
	if schema != rec.Schema() {
		rec = array.NewRecord(schema, rec.Columns(), rec.NumRows())
		defer rec.Release()
	}
	var buf seekBuffer
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(o.mem))
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
func Unmarshal(b []byte, opts ...Option) (arrow.Record, error) {
	o := applyOptions(opts)
	r, err := ipc.NewFileReader(bytes.NewReader(b), ipc.WithAllocator(o.mem))
	if err != nil {
		return nil, fmt.Errorf("arrow ipc reader: %w", err)
	}
	defer r.Close()
	n := r.NumRecords()
	recs := make([]arrow.Record, 0, n)
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	for i := 0; i < n; i++ {
		// RecordAt, not Record: the caller owns each batch, which stays
		// valid while the next one is read.
		rec, err := r.RecordAt(i)
		if err != nil {
			return nil, fmt.Errorf("arrow ipc read batch %d: %w", i, err)
		}
		recs = append(recs, rec)
	}
	if n == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	tbl := array.NewTableFromRecords(r.Schema(), recs)
	defer tbl.Release()
	return tableToRecord(tbl, o.mem)
}

// tableToRecord concatenates a table's chunks into one record.
func tableToRecord(tbl arrow.Table, mem memory.Allocator) (arrow.Record, error) {
	cols := make([]arrow.Array, 0, tbl.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i := 0; i < int(tbl.NumCols()); i++ {
		chunks := tbl.Column(i).Data().Chunks()
		if len(chunks) == 0 {
			cols = append(cols, array.MakeArrayOfNull(mem, tbl.Schema().Field(i).Type, 0))
			continue
		}
		c, err := array.Concatenate(chunks, mem)
		if err != nil {
			return nil, fmt.Errorf("arrow concatenate column %q: %w", tbl.Schema().Field(i).Name, err)
		}
		cols = append(cols, c)
	}
	return array.NewRecord(tbl.Schema(), cols, tbl.NumRows()), nil
}

// WithoutColumns re-encodes an Arrow table (Marshal's format) without the
// named columns; names it lacks are ignored. The result is deterministic, so
// two tables that differ only in those columns give equal bytes: stage keys
// use it to leave measurement columns (wall-clock time, memory) out of
// what dependents depend on.
func WithoutColumns(b []byte, drop []string, opts ...Option) ([]byte, error) {
	rec, err := Unmarshal(b, opts...)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	skip := map[string]bool{}
	for _, c := range drop {
		skip[c] = true
	}
	var fields []arrow.Field
	var cols []arrow.Array
	for i, f := range rec.Schema().Fields() {
		if !skip[f.Name] {
			fields = append(fields, f)
			cols = append(cols, rec.Column(i))
		}
	}
	md := rec.Schema().Metadata()
	out := array.NewRecord(arrow.NewSchema(fields, &md), cols, rec.NumRows())
	defer out.Release()
	enc, err := Marshal(out, opts...)
	if err != nil {
		return nil, fmt.Errorf("drop columns %v: %w", drop, err)
	}
	return enc, nil
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
		return 0, errors.New("arrowtab: negative seek")
	}
	s.pos = int(p)
	return p, nil
}
