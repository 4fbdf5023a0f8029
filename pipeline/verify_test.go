package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// racingStore is a store in which a run, holding the store lock shared,
// moves a pipeline reference right after Verify first lists the
// references.
type racingStore struct {
	*artifacts.DirStore
	ref, value string
	moved      bool
	t          *testing.T
}

func (r *racingStore) Refs(ctx context.Context, prefix string, fn func(string, []byte) error) error {
	err := r.DirStore.Refs(ctx, prefix, fn)
	if !r.moved {
		if err := r.DirStore.SetRef(ctx, r.ref, []byte(r.value)); err != nil {
			r.t.Error(err)
		}
		r.moved = true
	}
	return err
}

// TestVerifyRepairKeepsRunUpdate checks a pipeline reference that names a
// lost record while a run updates it: the repair waits for the run and
// keeps its new value instead of writing back one computed from the old.
// The run ends when Verify says it waits for it.
func TestVerifyRepairKeepsRunUpdate(t *testing.T) {
	ctx := context.Background()
	ds, err := artifacts.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lost, good := strings.Repeat("a", 64), strings.Repeat("b", 64)
	if err := ds.PutRecord(ctx, &artifacts.RunRecord{Key: artifacts.Key(good), Stage: "train"}); err != nil {
		t.Fatal(err)
	}
	ref := pipeline.PipelineRef("", "default")
	if err := ds.SetRef(ctx, ref, []byte(`["`+lost+`"]`)); err != nil {
		t.Fatal(err)
	}
	endRun, err := ds.LockShared(ctx, artifacts.StoreLock)
	if err != nil {
		t.Fatal(err)
	}
	s := &racingStore{DirStore: ds, ref: ref, value: `["` + good + `"]`, t: t}
	waited := false
	rep, err := pipeline.Verify(ctx, s, pipeline.VerifyOptions{Waiting: func() {
		waited = true
		if err := endRun(); err != nil {
			t.Error(err)
		}
	}})
	if !waited {
		endRun()
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := ds.GetRef(ctx, ref)
	if err != nil || string(got) != s.value {
		t.Errorf("after verify the reference holds %s (%v), want the run's %s", got, err, s.value)
	}
	if !waited || !rep.OK() {
		t.Errorf("waited for the run: %v; report OK: %v (bad: %v), want true and true", waited, rep.OK(), rep.BadRefs)
	}
}
