package arrowtab

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// Render converts an artifact to an export format: "raw" (the bytes as
// stored), "arrow" (the same, after checking they are an Arrow table), "blob"
// (the single cell of a one-row, one-column binary or string table: how a
// built-in stage stores a file such as a PNG figure or an HTML report), or,
// from an Arrow table, "csv" (header and rows), "md" (a Markdown table of all
// columns) or "json" (an array of row objects, columns in schema order).
// Floats are written in their shortest round-trip form (%g); nulls are empty
// cells in csv and md and null in json.
func Render(ipc []byte, format string, opts ...Option) ([]byte, error) {
	if format == "raw" {
		return ipc, nil
	}
	rec, err := Unmarshal(ipc, opts...)
	if err != nil {
		return nil, fmt.Errorf("format %s needs an Arrow table (use format raw for other files): %w", format, err)
	}
	defer rec.Release()
	switch format {
	case "arrow":
		return ipc, nil
	case "blob":
		return renderBlob(rec)
	case "csv":
		return renderCSV(rec)
	case "md":
		return renderMarkdown(rec), nil
	case "json":
		return renderJSON(rec)
	}
	return nil, fmt.Errorf("unknown export format %q", format)
}

func columnNames(rec arrow.Record) []string {
	names := make([]string, rec.NumCols())
	for i := range names {
		names[i] = rec.ColumnName(i)
	}
	return names
}

func renderCSV(rec arrow.Record) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(columnNames(rec)); err != nil {
		return nil, err
	}
	row := make([]string, rec.NumCols())
	for i := 0; i < int(rec.NumRows()); i++ {
		for j := range row {
			row[j] = Cell(rec.Column(j), i)
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func renderMarkdown(rec arrow.Record) []byte {
	var b bytes.Buffer
	names := columnNames(rec)
	b.WriteString("| " + strings.Join(names, " | ") + " |\n|")
	for j := range names {
		if isNumeric(rec.Column(j).DataType()) {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for i := 0; i < int(rec.NumRows()); i++ {
		b.WriteString("|")
		for j := range names {
			b.WriteString(" " + strings.ReplaceAll(Cell(rec.Column(j), i), "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func renderJSON(rec arrow.Record) ([]byte, error) {
	var b bytes.Buffer
	names := columnNames(rec)
	b.WriteString("[")
	for i := 0; i < int(rec.NumRows()); i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, n := range names {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(n)
			b.Write(k)
			b.WriteString(": ")
			b.WriteString(jsonCell(rec.Column(j), i))
		}
		b.WriteString("}")
	}
	b.WriteString("\n]\n")
	return b.Bytes(), nil
}

func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// Cell formats one value of a column as text: floats in shortest %g form,
// integers in decimal, strings as they are, nulls as "".
func Cell(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return ""
	}
	switch c := col.(type) {
	case *array.Float64:
		return strconv.FormatFloat(c.Value(i), 'g', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(c.Value(i)), 'g', -1, 32)
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(c.Value(i)), 10)
	case *array.String:
		return c.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(c.Value(i))
	}
	return col.ValueStr(i)
}

func jsonCell(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "null"
	}
	var f float64
	switch c := col.(type) {
	case *array.Float64:
		f = c.Value(i)
	case *array.Float32:
		f = float64(c.Value(i))
	default:
		if isNumeric(col.DataType()) || col.DataType().ID() == arrow.BOOL {
			return Cell(col, i)
		}
		b, _ := json.Marshal(Cell(col, i))
		return string(b)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	return Cell(col, i)
}

// renderBlob returns the bytes of a one-row table's only column, binary or
// string: built-in stages return Arrow tables, so a file they make is stored
// as such a table and exported with format blob.
func renderBlob(rec arrow.Record) ([]byte, error) {
	if rec.NumCols() != 1 || rec.NumRows() != 1 {
		return nil, fmt.Errorf("format blob needs a table of one row and one column, got %d rows × %d columns", rec.NumRows(), rec.NumCols())
	}
	switch col := rec.Column(0).(type) {
	case *array.Binary:
		return append([]byte(nil), col.Value(0)...), nil
	case *array.String:
		return []byte(col.Value(0)), nil
	}
	return nil, fmt.Errorf("format blob needs a binary or string column, column %q is %s", rec.ColumnName(0), rec.Column(0).DataType())
}
