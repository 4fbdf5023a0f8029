package local_test

import (
	"context"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/executortest"
	"github.com/diffusion-dfl/pipe/pipeline/local"
)

func TestConformanceMemStore(t *testing.T) {
	executortest.Run(t, func(t *testing.T) *executortest.Harness {
		s := artifacts.NewMemStore()
		return &executortest.Harness{Store: s, Executor: local.New(s, local.Options{TempDir: t.TempDir()}), Corrupt: s.CorruptForTest}
	})
}

func TestConformanceDirStore(t *testing.T) {
	executortest.Run(t, func(t *testing.T) *executortest.Harness {
		s, err := artifacts.OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return &executortest.Harness{Store: s, Executor: local.New(s, local.Options{TempDir: t.TempDir()})}
	})
}

func TestShellPeakRSS(t *testing.T) {
	s := artifacts.NewMemStore()
	x := local.New(s, local.Options{TempDir: t.TempDir()})
	res, err := x.Execute(context.Background(), &pipeline.Task{Stage: "rss", Run: `head -c 20000000 /dev/zero | tr '\0' a > /dev/null; echo x > "$PIPE_OUT_O"`,
		Dir: t.TempDir(), Outputs: []string{"o"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.PeakRSS <= 0 {
		t.Fatalf("peak RSS = %d, want > 0", res.PeakRSS)
	}
}
