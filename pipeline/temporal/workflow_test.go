package temporal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/local"
	"github.com/diffusion-dfl/pipe/pipeline/temporal/temporaltest"
)

const testBuild = "0123456789abcdef0123456789abcdef"

// testEnv returns an in-process workflow environment (no server) with the
// workflow and the activities of acts registered.
func testEnv(t *testing.T, acts *Activities) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(temporaltest.Quiet())
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(StageWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterActivityWithOptions(acts.RunStage, activity.RegisterOptions{Name: ActivityName})
	return env
}

// localActs runs stages with the local executor over a memory store.
func localActs(t *testing.T) (*Activities, *artifacts.MemStore) {
	s := artifacts.NewMemStore()
	return &Activities{Store: s, Registry: pipeline.NewRegistry(), Build: testBuild, CacheDir: t.TempDir(),
		Executor: local.New(s, local.Options{TempDir: t.TempDir()})}, s
}

func shellSpec(t *testing.T, run string) StageSpec {
	return StageSpec{Stage: "s", Key: artifacts.Key(strings.Repeat("a", 64)), Run: run, Dir: t.TempDir(),
		Params: []byte(`{}`), Outputs: []string{"out"}, Build: testBuild}
}

func runWorkflow(t *testing.T, env *testsuite.TestWorkflowEnvironment, spec StageSpec) (*StageResult, error) {
	env.ExecuteWorkflow(WorkflowName, StageInput{Spec: spec, HeartbeatTimeout: 10 * time.Second, Attempts: 5})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		return nil, err
	}
	var res StageResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return &res, nil
}

func TestWorkflowRunsShellStage(t *testing.T) {
	acts, store := localActs(t)
	res, err := runWorkflow(t, testEnv(t, acts), shellSpec(t, `printf hello > "$PIPE_OUT_OUT"`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Get(context.Background(), res.Outputs["out"])
	if err != nil || string(b) != "hello" {
		t.Fatalf("output %q, %v", b, err)
	}
}

// TestWorkflowStageFailureNotRetried checks that a failing stage runs once
// and that its failure comes back as ErrStageFailed with its log.
func TestWorkflowStageFailureNotRetried(t *testing.T) {
	acts, store := localActs(t)
	spec := shellSpec(t, `echo ran >> runs; echo broken >&2; exit 3`)
	_, err := runWorkflow(t, testEnv(t, acts), spec)
	var app *sdktemporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != TypeStageFailed || !app.NonRetryable() {
		t.Fatalf("err = %v, want a non-retryable %s", err, TypeStageFailed)
	}
	if b, _ := os.ReadFile(filepath.Join(spec.Dir, "runs")); string(b) != "ran\n" {
		t.Fatalf("stage ran %q times, want once", b)
	}
	res, err := fromFailure(err)
	if !errors.Is(err, pipeline.ErrStageFailed) || res == nil {
		t.Fatalf("client error %v (result %v), want ErrStageFailed with a log", err, res)
	}
	if log, _ := store.Get(context.Background(), res.Log); !strings.Contains(string(log), "broken") {
		t.Fatalf("log %q lacks the stage's stderr", log)
	}
}

// flaky fails its first calls with a plain (retryable) error, as a lost
// store connection would, then succeeds.
type flaky struct {
	fails int32
	calls atomic.Int32
	err   error // returned after the failures, if set
}

func (f *flaky) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	if n := f.calls.Add(1); n <= f.fails {
		return nil, fmt.Errorf("connection reset (call %d)", n)
	}
	if f.err != nil {
		return &pipeline.Result{Log: artifacts.DigestOf([]byte("log"))}, f.err
	}
	return &pipeline.Result{Outputs: map[string]artifacts.Digest{"out": artifacts.DigestOf([]byte("x"))}}, nil
}

func TestWorkflowRetriesTransientErrors(t *testing.T) {
	acts, _ := localActs(t)
	f := &flaky{fails: 2}
	acts.Executor = f
	res, err := runWorkflow(t, testEnv(t, acts), shellSpec(t, "true"))
	if err != nil || res.Outputs["out"] != artifacts.DigestOf([]byte("x")) {
		t.Fatalf("result %+v, %v", res, err)
	}
	if n := f.calls.Load(); n != 3 {
		t.Fatalf("executor called %d times, want 3 (two transient failures, then success)", n)
	}
}

func TestWorkflowInputErrorKeepsInput(t *testing.T) {
	acts, _ := localActs(t)
	d := artifacts.DigestOf([]byte("input"))
	f := &flaky{err: &pipeline.InputError{Input: "data", Digest: d, Err: fmt.Errorf("read: %w", artifacts.ErrCorrupt)}}
	acts.Executor = f
	_, err := runWorkflow(t, testEnv(t, acts), shellSpec(t, "true"))
	_, err = fromFailure(err)
	var ie *pipeline.InputError
	if !errors.As(err, &ie) || ie.Input != "data" || ie.Digest != d || !errors.Is(err, artifacts.ErrCorrupt) {
		t.Fatalf("err = %v, want an InputError for data wrapping ErrCorrupt", err)
	}
	if f.calls.Load() != 1 {
		t.Fatalf("input error retried: %d calls", f.calls.Load())
	}
}

func TestWorkflowRefusesOtherBuild(t *testing.T) {
	acts, _ := localActs(t)
	spec := shellSpec(t, "true")
	spec.Build = strings.Repeat("f", 32)
	_, err := runWorkflow(t, testEnv(t, acts), spec)
	if _, err := fromFailure(err); !errors.Is(err, ErrBuildMismatch) {
		t.Fatalf("err = %v, want ErrBuildMismatch", err)
	}
}

func TestParamsRoundTrip(t *testing.T) {
	p := pipeline.Params{"i": 1, "f": 1.0, "g": 2.5e-7, "s": "a b", "b": true, "n": nil,
		"l": []any{1, 2.0, "x"}, "m": map[string]any{"k": []any{3}, "z": -0.5}}
	b, err := encodeParams(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := decodeParams(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := encodeParams(q)
	if err != nil || string(b2) != string(b) {
		t.Fatalf("round trip %s -> %s (%v)", b, b2, err)
	}
	if _, ok := q["i"].(int); !ok {
		t.Errorf("int param came back as %T", q["i"])
	}
	if _, ok := q["f"].(float64); !ok {
		t.Errorf("float param came back as %T", q["f"])
	}
}
