package temporal_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/executortest"
	"github.com/diffusion-dfl/pipe/pipeline/local"
	"github.com/diffusion-dfl/pipe/pipeline/temporal"
	"github.com/diffusion-dfl/pipe/pipeline/temporal/temporaltest"
)

// randomHex returns n random bytes in hex: a fresh build or scope per test,
// so tests sharing a server never see each other's queues or workflows.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestConformance runs the executor suite through a Temporal service, with
// a worker in this process sharing the test's memory store.
func TestConformance(t *testing.T) {
	addr := temporaltest.Address(t)
	c := temporaltest.Dial(t, addr)
	executortest.Run(t, func(t *testing.T) *executortest.Harness {
		s := artifacts.NewMemStore()
		reg := pipeline.NewRegistry()
		executortest.Register(t, reg)
		build := randomHex(16)
		acts := &temporal.Activities{Store: s, Registry: reg, Build: build, CacheDir: t.TempDir(),
			Executor: local.New(s, local.Options{TempDir: t.TempDir()})}
		w := temporal.NewWorker(c, temporal.WorkerOptions{Slots: 2, Activities: acts})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
		x := temporal.New(temporal.Options{Client: c, Store: s, Build: build, Scope: randomHex(8),
			HeartbeatTimeout: 5 * time.Second})
		return &executortest.Harness{Store: s, Executor: x, Corrupt: s.CorruptForTest}
	})
}

// TestNoWorkerFailsFast checks that a stage for a class nobody serves
// fails with ErrNoWorker instead of waiting.
func TestNoWorkerFailsFast(t *testing.T) {
	c := temporaltest.Dial(t, temporaltest.Address(t))
	s := artifacts.NewMemStore()
	x := temporal.New(temporal.Options{Client: c, Store: s, Build: randomHex(16), WorkerWait: 500 * time.Millisecond})
	start := time.Now()
	_, err := x.Execute(context.Background(), &pipeline.Task{Stage: "gpu-stage", Key: artifacts.Key(strings.Repeat("2", 64)),
		Run: "true", Dir: t.TempDir(), Outputs: []string{"o"}, Class: "gpu"})
	if !errors.Is(err, temporal.ErrNoWorker) || !strings.Contains(err.Error(), "gpu") {
		t.Fatalf("err = %v, want ErrNoWorker naming the gpu queue", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v to fail", d)
	}
}
