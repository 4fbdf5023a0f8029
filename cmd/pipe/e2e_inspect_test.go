package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// writeNullTable writes an Arrow table whose std column has a null.
func writeNullTable(t *testing.T, path string) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "method", Type: arrow.BinaryTypes.String},
		{Name: "mean", Type: arrow.PrimitiveTypes.Float64}, {Name: "std", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"mse", "dfl"}, nil)
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{0.5, 0.25}, nil)
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{0.1, 0}, []bool{true, false})
	rec := b.NewRecord()
	defer rec.Release()
	data, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestE2EShowTable(t *testing.T) {
	dir := t.TempDir()
	writeNullTable(t, filepath.Join(dir, "t.arrow"))
	writeFile(t, dir, "pipelines.yaml", "stages:\n  tables: {run: 'cp t.arrow \"$PIPE_OUT_TABLE1\"', deps: [t.arrow], outputs: [table1]}\n")
	mustPipe(t, dir, "run")
	var sj struct {
		Profile, Path string
		Head          []map[string]any
		Schema        []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(mustPipe(t, dir, "show", "tables.table1", "--json").stdout), &sj); err != nil {
		t.Fatal(err)
	}
	if sj.Profile != "default" || len(sj.Head) != 2 || sj.Head[1]["std"] != nil || sj.Head[0]["std"] != 0.1 {
		t.Errorf("show --json: %+v (want std null in row 2)", sj)
	}
	if st, err := os.Stat(sj.Path); err != nil || st.Size() == 0 {
		t.Errorf("show --json path %q: %v", sj.Path, err)
	}
	show := mustPipe(t, dir, "show", "tables.table1", "--cols", "method,std").stdout
	if strings.Contains(show, "mean") || !strings.Contains(show, "null") || !strings.Contains(show, "method") {
		t.Errorf("show --cols method,std:\n%s", show)
	}
	if r := pipeIn(t, dir, "show", "tables.table1", "--cols", "stdd"); r.code == 0 || !strings.Contains(r.stderr, `did you mean "std"`) {
		t.Errorf("unknown column: %+v", r)
	}
	csvPath := filepath.Join(dir, "out.csv")
	mustPipe(t, dir, "show", "tables.table1", "--out", csvPath, "--cols", "method,std")
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != "method,std" || rows[2][1] != "" {
		t.Errorf("--out csv: %v %v", rows, err)
	}
	arrowPath := filepath.Join(dir, "out.arrow")
	mustPipe(t, dir, "show", "tables.table1", "-o", arrowPath)
	b, err := os.ReadFile(arrowPath)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := arrowtab.Unmarshal(b)
	if err != nil || rec.NumCols() != 3 || rec.NumRows() != 2 {
		t.Fatalf("--out arrow: %v", err)
	}
	rec.Release()
}

// TestE2EInspectProfiles: under the ci profile the summary's bytes equal
// count-1's, and lineage still names count-1 as the producer; show and
// logs label the profile and never show a ci result as the default one.
func TestE2EInspectProfiles(t *testing.T) {
	dir := copyExample(t)
	run := mustPipe(t, dir, "run", "--json", "--profile", "ci", "all").stdout
	lin := mustPipe(t, dir, "lineage", "summary.table", "--profile", "ci").stdout
	if !strings.Contains(lin, "└ counts/count-1.counts ← count-1.counts") || strings.Count(lin, "summary") != 1 {
		t.Errorf("lineage under ci:\n%s", lin)
	}
	if r := pipeIn(t, dir, "show", "summary.table"); r.code == 0 || !strings.Contains(r.stderr, "under the default profile") || !strings.Contains(r.stderr, "[ci]") {
		t.Errorf("show under the default profile after a ci run: %+v", r)
	}
	if r := mustPipe(t, dir, "show", "summary.table", "-p", "ci"); !strings.Contains(r.stdout, "profile ci") {
		t.Errorf("show -p ci:\n%s", r.stdout)
	}
	if r := mustPipe(t, dir, "logs", "text-1", "-p", "ci"); !strings.Contains(r.stderr, "under the ci profile") {
		t.Errorf("logs -p ci: %q", r.stderr)
	}
	if !strings.Contains(run, `"profile": "ci"`) {
		t.Errorf("run --json -p ci:\n%s", run)
	}
	if run := mustPipe(t, dir, "run", "--json", "text-1").stdout; !strings.Contains(run, `"profile": ""`) {
		t.Errorf("run --json under the default profile lacks profile:\n%s", run)
	}
}

// TestE2ELineageOnce: a diamond reaches its source twice; the second
// time it is marked, not repeated.
func TestE2ELineageOnce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", `
stages:
  src: {run: 'echo s > "$PIPE_OUT_O"', outputs: [o]}
  left: {run: 'cat "$PIPE_IN_I" > "$PIPE_OUT_O"; echo l >> "$PIPE_OUT_O"', inputs: {i: src.o}, outputs: [o]}
  right: {run: 'cat "$PIPE_IN_I" > "$PIPE_OUT_O"; echo r >> "$PIPE_OUT_O"', inputs: {i: src.o}, outputs: [o]}
  join: {run: 'cat "$PIPE_IN_A" "$PIPE_IN_B" > "$PIPE_OUT_O"', inputs: {a: left.o, b: right.o}, outputs: [o]}
`)
	mustPipe(t, dir, "run")
	lin := mustPipe(t, dir, "lineage", "join").stdout
	if strings.Count(lin, "src.o") != 2 || strings.Count(lin, "shown above") != 1 {
		t.Errorf("lineage of a diamond:\n%s", lin)
	}
}
