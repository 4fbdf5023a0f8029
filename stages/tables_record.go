package stages

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// tableBuilder assembles a display table whose numeric columns may have
// missing values. arrowtab.Builder writes every value; here a missing
// number is an Arrow null, which the exports render as an empty cell (csv,
// md) or null (json) rather than "NaN".
type tableBuilder struct {
	fields []arrow.Field
	cols   []arrow.Array
}

func (t *tableBuilder) add(name string, a arrow.Array) {
	if len(t.cols) > 0 && t.cols[0].Len() != a.Len() {
		panic(fmt.Sprintf("stages: table column %q has %d rows, want %d", name, a.Len(), t.cols[0].Len()))
	}
	t.fields = append(t.fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
	t.cols = append(t.cols, a)
}

// strings appends a string column.
func (t *tableBuilder) strings(name string, v []string) {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	t.add(name, b.NewArray())
}

// floats appends a float64 column; NaN values become nulls.
func (t *tableBuilder) floats(name string, v []float64) {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, x := range v {
		if math.IsNaN(x) {
			b.AppendNull()
		} else {
			b.Append(x)
		}
	}
	t.add(name, b.NewArray())
}

// ints appends an int64 column; negative values (never valid for the
// counts and sizes shown) become nulls.
func (t *tableBuilder) ints(name string, v []int64) {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, x := range v {
		if x < 0 {
			b.AppendNull()
		} else {
			b.Append(x)
		}
	}
	t.add(name, b.NewArray())
}

// record returns the table with the given schema metadata; the caller
// releases it.
func (t *tableBuilder) record(meta map[string]string) arrow.Record {
	md := arrowtab.Metadata(meta)
	n := int64(0)
	if len(t.cols) > 0 {
		n = int64(t.cols[0].Len())
	}
	rec := array.NewRecord(arrow.NewSchema(t.fields, md), t.cols, n)
	for _, c := range t.cols {
		c.Release()
	}
	t.cols = nil
	return rec
}

// tableMeta is the schema metadata of a paper table.
func tableMeta(name string, digits int) map[string]string {
	return map[string]string{arrowtab.MetaKind: "table." + name, "metric_digits": fmt.Sprint(digits)}
}

// formatMeanStd writes "mean ± std" with the given decimal places, or the
// mean alone when the standard deviation is unknown (one seed).
func formatMeanStd(mean, std float64, digits int) string {
	if math.IsNaN(std) {
		return fmt.Sprintf("%.*f", digits, mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", digits, mean, digits, std)
}

// noValue is shown where a table has no value.
const noValue = "—"

// roundDecimals rounds v to the given decimal places (machine columns of the
// tables; the summary artifact keeps full precision).
func roundDecimals(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

// column maps every row to one column's values, for the record writers
// that build a table column by column from a slice of row structs.
func column[R, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}
