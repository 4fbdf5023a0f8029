package pipecmd

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// describe reads an object as an Arrow table if it is one, and returns its
// description and, for tables, the gota display of its first rows.
func describe(stage, output string, d artifacts.Digest, b []byte, rows int) (*artifactJSON, string) {
	a, table, _ := describeCols(stage, output, d, b, rows, nil)
	return a, table
}

// describeCols is describe restricted to the columns cols (nil: all). Null
// cells are nil in the JSON head and "null" in the display.
func describeCols(stage, output string, d artifacts.Digest, b []byte, rows int, cols []string) (*artifactJSON, string, error) {
	a := &artifactJSON{Stage: stage, Output: output, Digest: string(d), Bytes: len(b)}
	rec, err := arrowtab.Unmarshal(b)
	if err != nil {
		if cols != nil {
			return nil, "", fmt.Errorf("--cols needs an Arrow table; this output is %d bytes of another format", len(b))
		}
		a.Format = "bytes"
		lines := strings.SplitAfter(string(b), "\n")
		a.Rows = int64(strings.Count(string(b), "\n"))
		a.Text = strings.Join(lines[:min(rows, len(lines))], "")
		return a, "", nil
	}
	defer rec.Release()
	if rec, err = selectCols(rec, cols); err != nil {
		return nil, "", err
	}
	defer rec.Release()
	a.Format, a.Rows, a.Metadata = "arrow", rec.NumRows(), map[string]string{}
	md := rec.Schema().Metadata()
	for i, k := range md.Keys() {
		a.Metadata[k] = md.Values()[i]
	}
	n := int(min(int64(rows), rec.NumRows()))
	ser := make([]series.Series, rec.NumCols())
	for j := range ser {
		f := rec.Schema().Field(j)
		a.Schema = append(a.Schema, fieldJSON{Name: f.Name, Type: f.Type.String()})
		ser[j] = toSeries(f.Name, rec.Column(j), n)
	}
	for i := 0; i < n; i++ {
		row := map[string]any{}
		for j := 0; j < int(rec.NumCols()); j++ {
			row[rec.ColumnName(j)] = cellValue(rec.Column(j), i)
		}
		a.Head = append(a.Head, row)
	}
	if n == 0 || len(ser) == 0 {
		return a, "", nil
	}
	return a, dataframe.New(ser...).String(), nil
}

// cellValue is one cell for JSON: nil for a null, else a number, bool or
// string.
func cellValue(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch c := col.(type) {
	case *array.Float64:
		if v := c.Value(i); !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v
		}
	case *array.Float32:
		if v := float64(c.Value(i)); !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v
		}
	case *array.Int64:
		return c.Value(i)
	case *array.Boolean:
		return c.Value(i)
	}
	return arrowtab.Cell(col, i)
}

// toSeries converts the first n values of an Arrow column to a gota series;
// a column with nulls among them is shown as strings, nulls as "null".
func toSeries(name string, col arrow.Array, n int) series.Series {
	hasNull := false
	for i := 0; i < n; i++ {
		hasNull = hasNull || col.IsNull(i)
	}
	switch c := col.(type) {
	case *array.Float64:
		if !hasNull {
			return series.New(c.Float64Values()[:n], series.Float, name)
		}
	case *array.Float32:
		if !hasNull {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(c.Value(i))
			}
			return series.New(v, series.Float, name)
		}
	case *array.Int64:
		if !hasNull {
			v := make([]int, n)
			for i := range v {
				v[i] = int(c.Value(i))
			}
			return series.New(v, series.Int, name)
		}
	case *array.Boolean:
		if !hasNull {
			v := make([]bool, n)
			for i := range v {
				v[i] = c.Value(i)
			}
			return series.New(v, series.Bool, name)
		}
	}
	v := make([]string, n)
	for i := range v {
		v[i] = "null"
		if !col.IsNull(i) {
			v[i] = arrowtab.Cell(col, i)
		}
	}
	return series.New(v, series.String, name)
}

// splitCols parses --cols ("a,b"); "" is nil (all columns).
func splitCols(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// selectCols returns a new reference to rec restricted to cols, in that
// order (nil: all columns). An unknown column is an error with a
// did-you-mean.
func selectCols(rec arrow.Record, cols []string) (arrow.Record, error) {
	if cols == nil {
		rec.Retain()
		return rec, nil
	}
	names := make([]string, rec.NumCols())
	for i := range names {
		names[i] = rec.ColumnName(i)
	}
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, c := range cols {
		idx := rec.Schema().FieldIndices(c)
		if len(idx) == 0 {
			return nil, fmt.Errorf("no column %q%s (columns: %s)", c, pipeline.Suggest(c, names), strings.Join(names, ", "))
		}
		fields = append(fields, rec.Schema().Field(idx[0]))
		arrs = append(arrs, rec.Column(idx[0]))
	}
	md := rec.Schema().Metadata()
	return array.NewRecord(arrow.NewSchema(fields, &md), arrs, rec.NumRows()), nil
}

// writeOut writes an output to path in the format its extension names,
// restricted to cols.
func writeOut(c *cli.Context, path string, b []byte, cols []string) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	switch format {
	case "arrow", "csv", "json", "md":
	default:
		return fmt.Errorf("--out %s: unknown extension; use .arrow, .csv, .json or .md", path)
	}
	if cols != nil {
		rec, err := arrowtab.Unmarshal(b)
		if err != nil {
			return fmt.Errorf("--cols needs an Arrow table: %w", err)
		}
		sel, err := selectCols(rec, cols)
		rec.Release()
		if err != nil {
			return err
		}
		b, err = arrowtab.Marshal(sel)
		sel.Release()
		if err != nil {
			return err
		}
	}
	data, err := arrowtab.Render(b, format)
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(c.App.ErrWriter, "wrote %s (%s, %d bytes)\n", path, format, len(data))
	return nil
}
