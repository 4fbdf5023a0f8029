package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// pjmFiles declares the external file a test kind reads.
func pjmFiles(p pipeline.Params) ([]pipeline.FileDep, error) {
	return []pipeline.FileDep{{Name: "pjm", Path: p.String("file")}}, nil
}

// TestDataFiles checks a kind's external files: a missing one is an error
// naming the stage, the path and the fix; their digests enter the key and
// are cached in the store; editing the file makes the stage stale.
func TestDataFiles(t *testing.T) {
	reg := pipeline.NewRegistry()
	err := reg.Register(pipeline.Kind{Name: "load", Run: runNothing, Files: pjmFiles,
		Params:  []pipeline.ParamSpec{{Name: "file", Type: pipeline.String}},
		Outputs: []pipeline.PortSpec{{Name: "data"}}})
	if err != nil {
		t.Fatal(err)
	}
	dir, data := t.TempDir(), t.TempDir()
	f, err := pipeline.Parse(filepath.Join(dir, "p.yaml"), []byte("stages:\n  load:\n    kind: load\n    params: {file: pjm/load.csv}\n"),
		pipeline.LoadOptions{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	s := artifacts.NewMemStore()
	eng := pipeline.NewEngine(pipeline.Config{File: f, Store: s, DataDir: data, Fingerprints: fakeFingerprints{"load": "v1"},
		Executor: &fakeExecutor{store: s}})
	ctx := context.Background()
	rep, err := eng.Run(ctx, nil, pipeline.RunOptions{})
	want := filepath.Join(data, "pjm", "load.csv")
	if !errors.Is(err, pipeline.ErrStageFailed) || !errors.Is(rep.Stages[0].Err, pipeline.ErrMissingFile) ||
		!strings.Contains(rep.Stages[0].Err.Error(), want) || !strings.Contains(rep.Stages[0].Err.Error(), "pipe fetch-data") {
		t.Fatalf("missing file: %v / %v", err, rep.Stages[0].Err)
	}
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(want, []byte("t,load\n0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(ctx, nil, pipeline.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	cache, err := s.GetRef(ctx, "cache/file-digests")
	if err != nil || !strings.Contains(string(cache), want) {
		t.Fatalf("file digest cache: %s, %v", cache, err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(want, []byte("t,load\n0,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(want, later, later); err != nil {
		t.Fatal(err)
	}
	sts, err := eng.Status(ctx, nil)
	if err != nil || sts[0].Cached || sts[0].Reason != "data file changed: pjm" {
		t.Fatalf("after editing the data: %+v, %v", sts, err)
	}
}
