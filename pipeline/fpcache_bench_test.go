package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	pipe "github.com/diffusion-dfl/pipe"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
	"github.com/diffusion-dfl/pipe/stages"
)

// BenchmarkStatusDefaultProfile is `pipe status` on the repository's
// pipelines.yaml under its default profile (329 stages) with a warm
// fingerprint cache: load and expand the file, salt the cache with the
// source digest, read the cached fingerprints, compute every key the store
// allows and look up its record. The goal is under 50 ms.
func BenchmarkStatusDefaultProfile(b *testing.B) {
	data := "/work/shared/data"
	if d := os.Getenv("PIPE_DATA_DIR"); d != "" {
		data = d
	}
	if _, err := os.Stat(data); err != nil {
		b.Skipf("no data directory: %v", err)
	}
	reg := pipeline.NewRegistry()
	if err := stages.Register(reg); err != nil {
		b.Fatal(err)
	}
	store, err := artifacts.OpenDir(filepath.Join(b.TempDir(), ".pipe"))
	if err != nil {
		b.Fatal(err)
	}
	status := func() int {
		f, err := pipeline.Load(filepath.Join("..", "pipelines.yaml"), pipeline.LoadOptions{Registry: reg})
		if err != nil {
			b.Fatal(err)
		}
		fp, err := fingerprint.New(fingerprint.Config{Sources: pipe.Sources(), Reach: pipe.Reach()})
		if err != nil {
			b.Fatal(err)
		}
		fps := pipeline.CacheFingerprints(fp, store, fp.SourceDigest)
		eng := pipeline.NewEngine(pipeline.Config{File: f, Store: store, Fingerprints: fps, DataDir: data})
		st, err := eng.Status(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		return len(st)
	}
	if n := status(); n < 300 { // warms the fingerprint cache
		b.Fatalf("%d stages, want the default profile's 329", n)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		status()
	}
}
