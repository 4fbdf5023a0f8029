package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/local"
)

// dag200 copies the 200-stage benchmark DAG into a fresh directory.
func dag200(b *testing.B) string {
	b.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "dag200.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipelines.yaml"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkPlan200 loads, expands and validates the 200-stage DAG and
// computes its closure: the planning work before any store access.
func BenchmarkPlan200(b *testing.B) {
	path := filepath.Join(dag200(b), "pipelines.yaml")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := pipeline.Load(path, pipeline.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		ts, err := f.Targets([]string{"all"})
		if err != nil || len(f.Closure(ts)) != 200 {
			b.Fatalf("closure: %v", err)
		}
	}
}

// BenchmarkCachedRun200 is a fully cached `pipe run all` of the 200-stage
// DAG of shell stages in-process, on the on-disk store: load, validate,
// plan, compute every key and find every record and object.
func BenchmarkCachedRun200(b *testing.B) {
	dir := dag200(b)
	path := filepath.Join(dir, "pipelines.yaml")
	store, err := artifacts.OpenDir(filepath.Join(dir, ".pipe"))
	if err != nil {
		b.Fatal(err)
	}
	run := func() *pipeline.Report {
		f, err := pipeline.Load(path, pipeline.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		eng := pipeline.NewEngine(pipeline.Config{File: f, Store: store, Executor: local.New(store, local.Options{TempDir: b.TempDir()})})
		rep, err := eng.Run(context.Background(), []string{"all"}, pipeline.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	if rep := run(); rep.Count(pipeline.StatusRan) != 200 {
		b.Fatalf("first run ran %d stages", rep.Count(pipeline.StatusRan))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rep := run(); rep.Count(pipeline.StatusCached) != 200 {
			b.Fatalf("cached run: %d cached", rep.Count(pipeline.StatusCached))
		}
	}
}
