package artifacts

import (
	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// The table helpers moved to package arrowtab. These forwards keep the
// importers building until each is updated; they go away with the last one.

// MetaKind is arrowtab.MetaKind.
//
// Deprecated: use arrowtab.MetaKind.
const MetaKind = arrowtab.MetaKind

// ErrSchema is arrowtab.ErrSchema.
//
// Deprecated: use arrowtab.ErrSchema.
var ErrSchema = arrowtab.ErrSchema

// Builder is arrowtab.Builder.
//
// Deprecated: use arrowtab.Builder.
type Builder = arrowtab.Builder

// NewBuilder is arrowtab.NewBuilder.
//
// Deprecated: use arrowtab.NewBuilder.
func NewBuilder() *Builder { return arrowtab.NewBuilder() }

// Marshal is arrowtab.Marshal.
//
// Deprecated: use arrowtab.Marshal.
func Marshal(rec arrow.Record) ([]byte, error) { return arrowtab.Marshal(rec) }

// Unmarshal is arrowtab.Unmarshal.
//
// Deprecated: use arrowtab.Unmarshal.
func Unmarshal(b []byte) (arrow.Record, error) { return arrowtab.Unmarshal(b) }

// Metadata is arrowtab.Metadata.
//
// Deprecated: use arrowtab.Metadata.
func Metadata(m map[string]string) *arrow.Metadata { return arrowtab.Metadata(m) }

// Meta is arrowtab.Meta.
//
// Deprecated: use arrowtab.Meta.
func Meta(rec arrow.Record, key string) (string, bool) { return arrowtab.Meta(rec, key) }

// DenseRecord is arrowtab.DenseRecord.
//
// Deprecated: use arrowtab.DenseRecord.
func DenseRecord(m mat.Matrix, cols []string, meta map[string]string) (arrow.Record, error) {
	return arrowtab.DenseRecord(m, cols, meta)
}

// RecordDense is arrowtab.RecordDense.
//
// Deprecated: use arrowtab.RecordDense.
func RecordDense(rec arrow.Record, cols ...string) (*mat.Dense, error) {
	return arrowtab.RecordDense(rec, cols...)
}

// Float64s is arrowtab.Float64s.
//
// Deprecated: use arrowtab.Float64s.
func Float64s(rec arrow.Record, name string) ([]float64, error) { return arrowtab.Float64s(rec, name) }

// Float32s is arrowtab.Float32s.
//
// Deprecated: use arrowtab.Float32s.
func Float32s(rec arrow.Record, name string) ([]float32, error) { return arrowtab.Float32s(rec, name) }

// Int64s is arrowtab.Int64s.
//
// Deprecated: use arrowtab.Int64s.
func Int64s(rec arrow.Record, name string) ([]int64, error) { return arrowtab.Int64s(rec, name) }

// Strings is arrowtab.Strings.
//
// Deprecated: use arrowtab.Strings.
func Strings(rec arrow.Record, name string) ([]string, error) { return arrowtab.Strings(rec, name) }
