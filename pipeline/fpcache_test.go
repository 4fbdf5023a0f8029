package pipeline_test

import (
	"context"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// countingFingerprints counts how often fingerprints are computed.
type countingFingerprints struct{ calls int }

func (c *countingFingerprints) Fingerprint(k *pipeline.Kind) (string, error) {
	c.calls++
	return "fp-" + k.Name, nil
}

func TestCacheFingerprints(t *testing.T) {
	s := artifacts.NewMemStore()
	reg := testRegistry(t)
	f, err := pipeline.Parse("p.yaml", []byte("stages:\n  d: {run: x, outputs: [d]}\n  t:\n    kind: train\n    params: {epochs: 1}\n    inputs: {data: d.d}\n"),
		pipeline.LoadOptions{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	f.Dir = t.TempDir()
	status := func(salt string) (int, string) {
		inner := &countingFingerprints{}
		fps := pipeline.CacheFingerprints(inner, s, func() (string, error) { return salt, nil })
		eng := pipeline.NewEngine(pipeline.Config{File: f, Store: s, Fingerprints: fps, Executor: &fakeExecutor{store: s}})
		rep, err := eng.Run(context.Background(), nil, pipeline.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return inner.calls, rep.Stages[1].Status
	}
	if n, st := status("build-1"); n != 1 || st != pipeline.StatusRan {
		t.Fatalf("first build: %d computations, %s", n, st)
	}
	if n, st := status("build-1"); n != 0 || st != pipeline.StatusCached {
		t.Fatalf("same build: %d computations (want 0, read from the store), %s", n, st)
	}
	if n, _ := status("build-2"); n != 1 {
		t.Fatalf("new build: %d computations, want 1", n)
	}
}
