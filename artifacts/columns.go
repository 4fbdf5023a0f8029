package artifacts

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// WithoutColumns re-encodes an Arrow table (Marshal's format) without the
// named columns; names it lacks are ignored. The result is deterministic, so
// two tables that differ only in those columns give equal bytes: stage keys
// use it to leave measurement columns (wall-clock time, memory) out of
// what dependents depend on.
func WithoutColumns(b []byte, drop []string) ([]byte, error) {
	rec, err := Unmarshal(b)
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
	enc, err := Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("drop columns %v: %w", drop, err)
	}
	return enc, nil
}
