package executortest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Harness is what the suite needs from an implementation.
type Harness struct {
	Store    artifacts.Store
	Executor pipeline.Executor
	// Corrupt, if not nil, changes the stored bytes of object d so that they
	// no longer match d; the corrupt-input tests are skipped without it.
	Corrupt func(d artifacts.Digest)
}

// Run runs every conformance test against executors made by newHarness
// (called once per test, so each test gets a fresh store).
func Run(t *testing.T, newHarness func(t *testing.T) *Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, *Harness)
	}{
		{"ShellOutputs", testShellOutputs},
		{"ShellParams", testShellParams},
		{"ShellFanIn", testShellFanIn},
		{"ShellWorkingDir", testShellWorkingDir},
		{"ShellMissingOutput", testShellMissingOutput},
		{"ShellFailureKeepsLog", testShellFailureKeepsLog},
		{"ShellCancelKillsGroup", testShellCancel},
		{"KindRoundTrip", testKindRoundTrip},
		{"KindFiles", testKindFiles},
		{"KindError", testKindError},
		{"KindPanic", testKindPanic},
		{"KindMissingOutput", testKindMissingOutput},
		{"KindCancel", testKindCancel},
		{"CorruptInput", testCorruptInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newHarness(t)) })
	}
}

func put(t *testing.T, s artifacts.Objects, data string) artifacts.Digest {
	t.Helper()
	d, err := s.Put(context.Background(), strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func get(t *testing.T, s artifacts.Objects, d artifacts.Digest) string {
	t.Helper()
	b, err := s.Get(context.Background(), d)
	if err != nil {
		t.Fatalf("get %s: %v", d.Short(), err)
	}
	return string(b)
}

func execute(t *testing.T, h *Harness, task *pipeline.Task) *pipeline.Result {
	t.Helper()
	res, err := h.Executor.Execute(context.Background(), task)
	if err != nil {
		log := ""
		if res != nil && res.Log != "" {
			log = get(t, h.Store, res.Log)
		}
		t.Fatalf("execute: %v\nlog:\n%s", err, log)
	}
	return res
}

func shellTask(run string) *pipeline.Task {
	return &pipeline.Task{Stage: "s", Key: artifacts.Key(strings.Repeat("0", 64)), Run: run,
		Dir: os.TempDir(), Params: pipeline.Params{}, Inputs: map[string]artifacts.Digest{}, Outputs: []string{"out"}}
}

func testShellOutputs(t *testing.T, h *Harness) {
	task := shellTask(`printf '%s-%s' "$PIPE_PARAM_NAME" "$(cat "$PIPE_IN_DATA")" > "$PIPE_OUT_OUT"`)
	task.Params["name"] = "x"
	task.Inputs["data"] = put(t, h.Store, "hello")
	res := execute(t, h, task)
	if got := get(t, h.Store, res.Outputs["out"]); got != "x-hello" {
		t.Fatalf("output = %q, want x-hello", got)
	}
	if len(res.Outputs) != 1 {
		t.Fatalf("outputs = %v, want exactly out", res.Outputs)
	}
}

// testShellParams checks the text of each kind of param: strings as they
// are, everything else as canonical JSON.
func testShellParams(t *testing.T, h *Harness) {
	task := shellTask(`env | grep '^PIPE_PARAM_' | sort > "$PIPE_OUT_OUT"`)
	task.Params = pipeline.Params{"s": "a b", "n": 3, "f": 1.0, "g": 2.5e-7, "b": true,
		"l": []any{1, "x"}, "m": map[string]any{"k": false, "a": 1.5}}
	res := execute(t, h, task)
	want := strings.Join([]string{"PIPE_PARAM_B=true", "PIPE_PARAM_F=1.0", "PIPE_PARAM_G=2.5e-07",
		`PIPE_PARAM_L=[1,"x"]`, `PIPE_PARAM_M={"a":1.5,"k":false}`, "PIPE_PARAM_N=3", "PIPE_PARAM_S=a b"}, "\n") + "\n"
	if got := get(t, h.Store, res.Outputs["out"]); got != want {
		t.Fatalf("params:\n%s\nwant:\n%s", got, want)
	}
}

func testShellFanIn(t *testing.T, h *Harness) {
	task := shellTask(`cd "$PIPE_IN_RUNS" && for f in *; do printf '%s=%s;' "$f" "$(cat "$f")"; done > "$PIPE_OUT_OUT"`)
	task.Inputs["runs/eval-a.m"] = put(t, h.Store, "A")
	task.Inputs["runs/eval-b.m"] = put(t, h.Store, "B")
	res := execute(t, h, task)
	if got := get(t, h.Store, res.Outputs["out"]); got != "eval-a.m=A;eval-b.m=B;" {
		t.Fatalf("fan-in output = %q", got)
	}
}

func testShellWorkingDir(t *testing.T, h *Harness) {
	dir := t.TempDir()
	task := shellTask(`pwd -P > "$PIPE_OUT_OUT"`)
	task.Dir = dir
	res := execute(t, h, task)
	want, _ := filepath.EvalSymlinks(dir)
	if got := strings.TrimSpace(get(t, h.Store, res.Outputs["out"])); got != want {
		t.Fatalf("working directory %q, want %q", got, want)
	}
}

func testShellMissingOutput(t *testing.T, h *Harness) {
	task := shellTask(`echo forgot to write`)
	_, err := h.Executor.Execute(context.Background(), task)
	if !errors.Is(err, pipeline.ErrMissingOutput) {
		t.Fatalf("err = %v, want ErrMissingOutput", err)
	}
}

func testShellFailureKeepsLog(t *testing.T, h *Harness) {
	task := shellTask(`echo to-stdout; echo oops-on-stderr >&2; exit 3`)
	res, err := h.Executor.Execute(context.Background(), task)
	if err == nil {
		t.Fatal("exit 3 reported as success")
	}
	if res == nil || res.Log == "" {
		t.Fatal("failed run kept no log")
	}
	log := get(t, h.Store, res.Log)
	if !strings.Contains(log, "to-stdout") || !strings.Contains(log, "oops-on-stderr") {
		t.Fatalf("log %q lacks stdout or stderr", log)
	}
}

// testShellCancel starts a command whose background child would write a
// file later; cancelling must return promptly and kill the child too.
func testShellCancel(t *testing.T, h *Harness) {
	dir := t.TempDir()
	task := shellTask(`(sleep 3; echo late > late) & echo $! > pid; wait`)
	task.Dir = dir
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for i := 0; i < 200; i++ {
			if b, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	res, err := h.Executor.Execute(ctx, task)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("cancellation took %v", time.Since(start))
	}
	if res != nil && len(res.Outputs) > 0 {
		t.Fatalf("cancelled run returned outputs %v", res.Outputs)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "pid"))
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file: %q", b)
	}
	time.Sleep(100 * time.Millisecond)
	if alive(pid) {
		t.Fatalf("background child %d still alive after cancel", pid)
	}
}

func tableDigest(t *testing.T, h *Harness, xs []float64) artifacts.Digest {
	t.Helper()
	rec, err := arrowtab.NewBuilder().Float64("x", xs).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.Store.Put(context.Background(), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func kindTask(k *pipeline.Kind) *pipeline.Task {
	outs := make([]string, len(k.Outputs))
	for i, o := range k.Outputs {
		outs[i] = o.Name
	}
	return &pipeline.Task{Stage: k.Name, Key: artifacts.Key(strings.Repeat("1", 64)), Kind: k,
		Params: pipeline.Params{}, Inputs: map[string]artifacts.Digest{}, Outputs: outs}
}
