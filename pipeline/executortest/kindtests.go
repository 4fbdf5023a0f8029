package executortest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

func testKindRoundTrip(t *testing.T, h *Harness) {
	task := kindTask(doubleKind)
	task.Params["factor"] = 3.0
	task.Inputs["in"] = tableDigest(t, h, []float64{1, 2, 3.5})
	var progress []int64
	task.Progress = func(done, total int64, unit string) {
		if unit == "rows" {
			progress = append(progress, done, total)
		}
	}
	res := execute(t, h, task)
	b, err := h.Store.Get(context.Background(), res.Outputs["out"])
	if err != nil {
		t.Fatal(err)
	}
	rec, err := arrowtab.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	xs, err := arrowtab.Float64s(rec, "x")
	if err != nil || len(xs) != 3 || xs[0] != 3 || xs[1] != 6 || xs[2] != 10.5 {
		t.Fatalf("output x = %v, %v; want [3 6 10.5]", xs, err)
	}
	if kind, _ := arrowtab.Meta(rec, arrowtab.MetaKind); kind != "test.doubled" {
		t.Errorf("schema metadata lost: %q", kind)
	}
	if len(progress) != 2 || progress[0] != 3 || progress[1] != 3 {
		t.Errorf("progress reports = %v, want [3 3]", progress)
	}
	if res.Log == "" || !strings.Contains(get(t, h.Store, res.Log), "doubled 3 rows") {
		t.Errorf("log missing the stage's Logf line")
	}
	again := execute(t, h, task)
	if again.Outputs["out"] != res.Outputs["out"] {
		t.Errorf("equal runs gave different digests: %s, %s", res.Outputs["out"], again.Outputs["out"])
	}
}

func testKindFiles(t *testing.T, h *Harness) {
	path := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(path, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	task := kindTask(fileKind)
	task.Files = map[string]string{"data": path}
	res := execute(t, h, task)
	b, err := h.Store.Get(context.Background(), res.Outputs["out"])
	if err != nil {
		t.Fatal(err)
	}
	rec, err := arrowtab.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if n, _ := arrowtab.Int64s(rec, "size"); len(n) != 1 || n[0] != 5 {
		t.Fatalf("kind saw file size %v, want 5", n)
	}
}

func testKindError(t *testing.T, h *Harness) {
	res, err := h.Executor.Execute(context.Background(), kindTask(failKind))
	if !errors.Is(err, pipeline.ErrStageFailed) || !strings.Contains(err.Error(), "deliberate failure") {
		t.Fatalf("err = %v, want ErrStageFailed with the kind's message", err)
	}
	if res == nil || res.Log == "" || !strings.Contains(get(t, h.Store, res.Log), "about to fail") {
		t.Fatal("failed kind kept no log")
	}
}

func testKindPanic(t *testing.T, h *Harness) {
	res, err := h.Executor.Execute(context.Background(), kindTask(panicKind))
	if !errors.Is(err, pipeline.ErrStageFailed) || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("err = %v, want ErrStageFailed naming the panic", err)
	}
	if res == nil || res.Log == "" || !strings.Contains(get(t, h.Store, res.Log), "nil map") {
		t.Fatal("panic not in the log")
	}
}

func testKindMissingOutput(t *testing.T, h *Harness) {
	_, err := h.Executor.Execute(context.Background(), kindTask(lazyKind))
	if !errors.Is(err, pipeline.ErrMissingOutput) || !strings.Contains(err.Error(), "other") {
		t.Fatalf("err = %v, want ErrMissingOutput naming other", err)
	}
}

// testKindCancel cancels a kind that returns a table after cancellation;
// the executor must report the cancellation and store nothing.
func testKindCancel(t *testing.T, h *Harness) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := h.Executor.Execute(ctx, kindTask(waitKind))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's error", err)
	}
	if res != nil && len(res.Outputs) > 0 {
		t.Fatalf("cancelled kind returned outputs %v", res.Outputs)
	}
	rec, _ := waitTable()
	defer rec.Release()
	b, _ := arrowtab.Marshal(rec)
	if ok, _ := h.Store.Has(context.Background(), artifacts.DigestOf(b)); ok {
		t.Fatal("the output of a cancelled kind was stored")
	}
}

// testCorruptInput checks that a corrupt input object is refused with an
// InputError naming the input, for shell and built-in stages alike.
func testCorruptInput(t *testing.T, h *Harness) {
	if h.Corrupt == nil {
		t.Skip("harness cannot corrupt objects")
	}
	shell := shellTask(`cat "$PIPE_IN_DATA" > "$PIPE_OUT_OUT"`)
	shell.Inputs["data"] = put(t, h.Store, "precious bytes")
	kind := kindTask(doubleKind)
	kind.Inputs["in"] = tableDigest(t, h, []float64{1})
	for _, task := range []*pipeline.Task{shell, kind} {
		for name, d := range task.Inputs {
			h.Corrupt(d)
			_, err := h.Executor.Execute(context.Background(), task)
			var ie *pipeline.InputError
			if !errors.Is(err, artifacts.ErrCorrupt) || !errors.As(err, &ie) || ie.Input != name || ie.Digest != d {
				t.Errorf("%s: err = %v, want an InputError for %s wrapping ErrCorrupt", task.Stage, err, name)
			}
		}
	}
}
