package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// TestE2EBackendWarning: results recorded on another numeric backend (here
// by rewriting their records, as another machine sharing the store would
// have written them) are reused, with one warning line from status and run.
func TestE2EBackendWarning(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", `
stages:
  a: {kind: data-synthetic, params: {n: 30, x_dim: 3, y_dim: 2}}
  b: {kind: data-synthetic, params: {n: 40, x_dim: 3, y_dim: 2}}
`)
	mustPipe(t, dir, "run")
	if r := mustPipe(t, dir, "status"); strings.Contains(r.stderr, "backend") {
		t.Fatalf("warning on the current backend:\n%s", r.stderr)
	}
	var keys struct {
		Stages []struct{ Key string } `json:"stages"`
	}
	out := mustPipe(t, dir, "status", "--json").stdout
	if err := json.Unmarshal([]byte(out), &keys); err != nil || len(keys.Stages) != 2 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	s, err := artifacts.OpenDir(filepath.Join(dir, ".pipe"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, k := range keys.Stages {
		rec, err := s.GetRecord(ctx, artifacts.Key(k.Key))
		if err != nil || rec.Backend == "" {
			t.Fatalf("record %s: %v, backend %q", k.Key, err, rec.Backend)
		}
		rec.Backend = "openblas OpenBLAS 0.3.26 (core Zen, test, 1 threads); nn kernels go"
		if err := s.PutRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"run"}} {
		r := mustPipe(t, dir, args...)
		if strings.Count(r.stderr, "numeric backend") != 1 || !strings.Contains(r.stderr, "2 cached results") || !strings.Contains(r.stderr, "2 on openblas") {
			t.Errorf("pipe %v: want one backend warning for 2 stages, stderr:\n%s", args, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "ran stage") {
			t.Errorf("pipe %v reran a result of another backend:\n%s", args, r.stderr)
		}
	}
}
