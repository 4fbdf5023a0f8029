package local_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/cores"
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

// TestKindHoldsACore: a built-in stage holds one core while it runs, so a
// pass inside it may borrow only the cores no other stage holds.
func TestKindHoldsACore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var heldInside, lentAlone, lentBeside int
	k := &pipeline.Kind{Name: "probe", Run: func(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
		heldInside = cores.Held()
		n, back := cores.Borrow(4)
		lentAlone = n
		back()
		release := cores.Hold() // a second stage starts beside this one
		lentBeside, _ = cores.Borrow(4)
		release()
		return pipeline.Outputs{}, nil
	}}
	s := artifacts.NewMemStore()
	x := local.New(s, local.Options{TempDir: t.TempDir()})
	if _, err := x.Execute(context.Background(), &pipeline.Task{Stage: "probe", Kind: k, Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if heldInside != 1 || lentAlone != 1 || lentBeside != 0 {
		t.Errorf("inside the stage: %d cores held (want 1), %d lent alone (want 1), %d lent beside another stage (want 0)", heldInside, lentAlone, lentBeside)
	}
	if h := cores.Held(); h != 0 {
		t.Errorf("%d cores held after the stage ended", h)
	}
}
