package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkCachedRunProcess200 runs the built pipe binary on the 200-stage
// DAG (pipeline/testdata/dag200.yaml) when everything is cached: the whole
// process, from exec to exit, as a user sees it; the README's Performance
// section compares it with Snakemake's no-op on the same DAG.
func BenchmarkCachedRunProcess200(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "pipeline", "testdata", "dag200.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipelines.yaml"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	run := func() {
		cmd := exec.Command(pipeBin, "run", "all")
		cmd.Dir, cmd.Env = dir, cleanEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("pipe run: %v\n%s", err, out)
		}
	}
	run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
}
