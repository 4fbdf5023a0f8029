package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show an output of a stage's latest run: schema, row count and first rows",
		ArgsUsage: "STAGE[.OUTPUT]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Aliases: []string{"n"}, Value: 5, Usage: "rows to show (the table display shows at most 10)"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
		},
		Action: showAction,
	}
}

// artifactJSON describes one output for `pipe show --json`.
type artifactJSON struct {
	Stage    string            `json:"stage"`
	Output   string            `json:"output"`
	Digest   string            `json:"digest"`
	Bytes    int               `json:"bytes"`
	Format   string            `json:"format"` // "arrow", or "bytes" for other files
	Schema   []fieldJSON       `json:"schema,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
	Rows     int64             `json:"rows"`
	Head     []map[string]any  `json:"head,omitempty"`
	Text     string            `json:"text,omitempty"` // head of a non-Arrow output
}

type fieldJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func showAction(c *cli.Context) error {
	ws, err := openWorkspace(c)
	if err != nil {
		return err
	}
	if c.NArg() != 1 {
		return fmt.Errorf("show takes one STAGE or STAGE.OUTPUT")
	}
	stage, output, err := splitTarget(ws.file, c.Args().First())
	if err != nil {
		return err
	}
	rec, err := latestRecord(c.Context, ws.store, stage)
	if err != nil {
		return err
	}
	outs := []string{output}
	if output == "" {
		outs = sortedKeys(rec.Outputs)
	}
	var all []*artifactJSON
	for _, o := range outs {
		d, ok := rec.Outputs[o]
		if !ok {
			return fmt.Errorf("stage %s has no output %q (outputs: %s)", stage, o, strings.Join(sortedKeys(rec.Outputs), ", "))
		}
		b, err := ws.store.Get(c.Context, d)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", stage, o, err)
		}
		a, table := describe(stage, o, d, b, c.Int("rows"))
		all = append(all, a)
		if !c.Bool("json") {
			printArtifact(c.App.Writer, a, table)
		}
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if len(all) == 1 {
			return enc.Encode(all[0])
		}
		return enc.Encode(all)
	}
	return nil
}

// describe reads an object as an Arrow table if it is one, and returns its
// description and, for tables, the gota display of its first rows.
func describe(stage, output string, d artifacts.Digest, b []byte, rows int) (*artifactJSON, string) {
	a := &artifactJSON{Stage: stage, Output: output, Digest: string(d), Bytes: len(b)}
	rec, err := artifacts.Unmarshal(b)
	if err != nil {
		a.Format = "bytes"
		lines := strings.SplitAfter(string(b), "\n")
		a.Rows = int64(strings.Count(string(b), "\n"))
		a.Text = strings.Join(lines[:min(rows, len(lines))], "")
		return a, ""
	}
	defer rec.Release()
	a.Format, a.Rows, a.Metadata = "arrow", rec.NumRows(), map[string]string{}
	md := rec.Schema().Metadata()
	for i, k := range md.Keys() {
		a.Metadata[k] = md.Values()[i]
	}
	n := int(min(int64(rows), rec.NumRows()))
	cols := make([]series.Series, rec.NumCols())
	for j := range cols {
		f := rec.Schema().Field(j)
		a.Schema = append(a.Schema, fieldJSON{Name: f.Name, Type: f.Type.String()})
		cols[j] = toSeries(f.Name, rec.Column(j), n)
	}
	for i := 0; i < n; i++ {
		row := map[string]any{}
		for j := range cols {
			row[rec.ColumnName(j)] = cols[j].Elem(i).Val()
		}
		a.Head = append(a.Head, row)
	}
	if n == 0 || len(cols) == 0 {
		return a, ""
	}
	return a, dataframe.New(cols...).String()
}

// toSeries converts the first n values of an Arrow column to a gota series.
func toSeries(name string, col arrow.Array, n int) series.Series {
	switch c := col.(type) {
	case *array.Float64:
		return series.New(c.Float64Values()[:n], series.Float, name)
	case *array.Float32:
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(c.Value(i))
		}
		return series.New(v, series.Float, name)
	case *array.Int64:
		v := make([]int, n)
		for i := range v {
			v[i] = int(c.Value(i))
		}
		return series.New(v, series.Int, name)
	case *array.Boolean:
		v := make([]bool, n)
		for i := range v {
			v[i] = c.Value(i)
		}
		return series.New(v, series.Bool, name)
	}
	v := make([]string, n)
	for i := range v {
		v[i] = pipeline.Cell(col, i)
	}
	return series.New(v, series.String, name)
}

func printArtifact(w io.Writer, a *artifactJSON, table string) {
	fmt.Fprintf(w, "%s.%s  object %s  %d bytes\n", a.Stage, a.Output, a.Digest, a.Bytes)
	if a.Format == "bytes" {
		fmt.Fprintf(w, "not an Arrow table; %d lines; first lines:\n%s", a.Rows, a.Text)
		if a.Text != "" && !strings.HasSuffix(a.Text, "\n") {
			fmt.Fprintln(w)
		}
		return
	}
	fmt.Fprintf(w, "rows: %d\nschema:\n", a.Rows)
	for _, f := range a.Schema {
		fmt.Fprintf(w, "  %-24s %s\n", f.Name, f.Type)
	}
	for _, k := range sortedKeys(a.Metadata) {
		fmt.Fprintf(w, "metadata: %s = %s\n", k, a.Metadata[k])
	}
	if table != "" {
		fmt.Fprintf(w, "head:\n%s\n", table)
	}
}
