package executortest

import (
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// Register adds the suite's built-in kinds to reg, for executors whose
// workers find a task's kind by name (a distributed executor's worker).
func Register(t testing.TB, reg *pipeline.Registry) {
	t.Helper()
	for _, k := range []*pipeline.Kind{doubleKind, fileKind, failKind, panicKind, lazyKind, waitKind} {
		if err := reg.Register(*k); err != nil {
			t.Fatalf("register the suite's kinds: %v", err)
		}
	}
}
