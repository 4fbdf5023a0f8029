package temporal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestResourceClassOutsideKey checks that `resources: class:` reaches the
// stage, is refused when malformed, and leaves the key unchanged: where a
// stage runs does not change what it computes.
func TestResourceClassOutsideKey(t *testing.T) {
	base := "stages:\n  a:\n    run: echo x > \"$PIPE_OUT_O\"\n    outputs: [o]\n"
	keyOf := func(src string) (artifacts.Key, *pipeline.File) {
		t.Helper()
		f, err := pipeline.Parse("pipelines.yaml", []byte(src), pipeline.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		eng := pipeline.NewEngine(pipeline.Config{File: f, Store: artifacts.NewMemStore()})
		st, err := eng.Status(context.Background(), nil)
		if err != nil || len(st) != 1 {
			t.Fatalf("status: %v, %v", st, err)
		}
		return st[0].Key, f
	}
	plain, _ := keyOf(base)
	withClass, f := keyOf(base + "    resources: {class: gpu}\n")
	if f.Stages["a"].Class != "gpu" {
		t.Fatalf("class = %q, want gpu", f.Stages["a"].Class)
	}
	if plain == "" || plain != withClass {
		t.Fatalf("the class changed the key: %s vs %s", plain, withClass)
	}
	for _, bad := range []string{"    resources: {gpu: 1}\n", "    resources: gpu\n", "    resources: {class: \"a b\"}\n"} {
		_, err := pipeline.Parse("pipelines.yaml", []byte(base+bad), pipeline.LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), "resources") {
			t.Errorf("%q: err = %v, want an error naming resources", strings.TrimSpace(bad), err)
		}
	}
}
