package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// diffPipelines is a two-stage project whose metrics and params change
// with the ci profile: a shell stage writes a CSV of per-method losses.
const diffPipelines = `
vars:
  scale: 2
stages:
  metrics:
    run: printf 'method,loss,n\na,%s,3\nb,1.5,3\n' "$PIPE_PARAM_SCALE" > "$PIPE_OUT_TABLE"
    params: {scale: "${scale}", label: same}
    outputs: [table]
pipelines:
  all: [metrics]
profiles:
  ci:
    vars: {scale: 5}
`

// metricRow is one row of `pipe metrics diff --json`.
type metricRow struct {
	Key    string   `json:"key"`
	Column string   `json:"column"`
	A      *float64 `json:"a"`
	B      *float64 `json:"b"`
	Change *float64 `json:"change"`
}

// paramRow is one row of `pipe params diff --json`.
type paramRow struct {
	Stage string `json:"stage"`
	Param string `json:"param"`
	A     string `json:"a"`
	B     string `json:"b"`
}

// diffRows decodes a --json metrics diff.
func diffRows(t *testing.T, out string) []metricRow {
	t.Helper()
	var rows []metricRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("metrics diff --json: %v\n%s", err, out)
	}
	return rows
}

func TestE2EMetricsDiffProfiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", diffPipelines)
	mustPipe(t, dir, "run", "all")
	mustPipe(t, dir, "run", "--profile", "ci", "all")
	out := mustPipe(t, dir, "metrics", "diff", "--json", "--output", "metrics.table", "--keys", "method", "--values", "loss,n", "default", "ci").stdout
	rows := diffRows(t, out)
	if len(rows) != 1 || rows[0].Key != "a" || rows[0].Column != "loss" || *rows[0].A != 2 || *rows[0].B != 5 || *rows[0].Change != 3 {
		t.Fatalf("metrics diff default ci: %s", out)
	}
	text := mustPipe(t, dir, "metrics", "diff", "--output", "metrics.table", "--keys", "method", "--values", "loss", "default", "ci").stdout
	if !strings.Contains(text, "+150.0%") || !strings.Contains(text, "default") {
		t.Errorf("metrics diff text lacks the change or the side labels:\n%s", text)
	}
	all := diffRows(t, mustPipe(t, dir, "metrics", "diff", "--all", "--json", "--output", "metrics.table", "--keys", "method", "--values", "loss,n", "ci", "ci").stdout)
	if len(all) != 4 {
		t.Errorf("--all of a side against itself: %d rows, want 4", len(all))
	}
	r := pipeIn(t, dir, "metrics", "diff", "--output", "metrics.table", "--keys", "nope", "default", "ci")
	if r.code == 0 || !strings.Contains(r.stderr, `no column "nope"`) {
		t.Errorf("unknown key column: %+v", r)
	}
}

func TestE2EMetricsDiffStores(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", diffPipelines)
	writeFile(t, dir, "other.yaml", strings.Replace(diffPipelines, "scale: 2", "scale: 4", 1))
	s1, s2 := filepath.Join(dir, "s1"), filepath.Join(dir, "s2")
	mustPipe(t, dir, "--store", s1, "run", "all")
	mustPipe(t, dir, "--store", s2, "--file", "other.yaml", "run", "all")
	rows := diffRows(t, mustPipe(t, dir, "metrics", "diff", "--json", "--output", "metrics.table", "--keys", "method", "--values", "loss",
		"store="+s1, "store="+s2+",file=other.yaml").stdout)
	if len(rows) != 1 || *rows[0].A != 2 || *rows[0].B != 4 {
		t.Fatalf("two stores: %+v", rows)
	}
	r := pipeIn(t, dir, "metrics", "diff", "--output", "metrics.table", "--keys", "method", "--values", "loss", "store="+s1, "store="+filepath.Join(dir, "empty"))
	if r.code == 0 || !strings.Contains(r.stderr, "has not run") {
		t.Errorf("a side that never ran: %+v", r)
	}
}

func TestE2EParamsDiff(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", diffPipelines)
	out := mustPipe(t, dir, "params", "diff", "--json", "default", "ci").stdout
	var rows []paramRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Stage != "metrics" || rows[0].Param != "scale" || rows[0].A != "2" || rows[0].B != "5" {
		t.Fatalf("params diff default ci: %s", out)
	}
	if got := mustPipe(t, dir, "params", "diff", "ci", "profile=ci").stdout; !strings.Contains(got, "no differences") {
		t.Errorf("a side against itself: %q", got)
	}
	r := pipeIn(t, dir, "params", "diff", "default")
	if r.code == 0 || !strings.Contains(r.stderr, "two sides") {
		t.Errorf("one side: %+v", r)
	}
	r = pipeIn(t, dir, "params", "diff", "default", "colour=red")
	if r.code == 0 || !strings.Contains(r.stderr, `unknown key "colour"`) {
		t.Errorf("bad side: %+v", r)
	}
}
