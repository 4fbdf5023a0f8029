package pipeline

import (
	"bytes"
	"context"
	"testing"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
)

func fitNothing(context.Context, Inputs, Params, Reporter) (Outputs, error) { return Outputs{}, nil }

// twoMeasureEngine has stages a and b whose kinds declare different
// measurement columns of equal-looking outputs (a drops "seconds", b
// drops "v").
func twoMeasureEngine(t *testing.T, s artifacts.Store) *Engine {
	t.Helper()
	reg := NewRegistry()
	for _, k := range []Kind{
		{Name: "fit", Doc: "fits", Run: fitNothing, Outputs: []PortSpec{{Name: "curve", Measures: []string{"seconds"}}}},
		{Name: "fitv", Doc: "fits", Run: fitNothing, Outputs: []PortSpec{{Name: "curve", Measures: []string{"v"}}}},
	} {
		if err := reg.Register(k); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Parse("p.yaml", []byte("stages:\n  a: {kind: fit}\n  b: {kind: fitv}\n"), LoadOptions{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	f.Dir = t.TempDir()
	return NewEngine(Config{File: f, Store: s})
}

// TestKeyDigestMemoPerColumnSet computes the key digest of one object as
// two kinds with different measurement columns see it: the memo must not
// hand the first kind's digest to the second, in memory or in the store.
// gc then drops the memo references with the object.
func TestKeyDigestMemoPerColumnSet(t *testing.T) {
	ctx := context.Background()
	s := artifacts.NewMemStore()
	rec, err := arrowtab.NewBuilder().Float64("v", []float64{1}).Float64("seconds", []float64{2}).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Put(ctx, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	digests := func(e *Engine) (artifacts.Digest, artifacts.Digest) {
		ka, err := e.keyDigest(ctx, "curve", "a", "curve", d)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := e.keyDigest(ctx, "curve", "b", "curve", d)
		if err != nil {
			t.Fatal(err)
		}
		return ka, kb
	}
	ka, kb := digests(twoMeasureEngine(t, s))
	if ka == kb || ka == d || kb == d {
		t.Fatalf("key digests without seconds %s and without v %s (object %s) must all differ", ka, kb, d)
	}
	if ma, mb := digests(twoMeasureEngine(t, s)); ma != ka || mb != kb {
		t.Errorf("memoized in the store: %s, %s; computed: %s, %s", ma, mb, ka, kb)
	}
	memos := func() int {
		n := 0
		if err := s.Refs(ctx, measureCacheRef, func(string, []byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := memos(); n != 2 {
		t.Fatalf("%d memo references, want 2", n)
	}
	rep, err := GC(ctx, s, twoMeasureEngine(t, s).cfg.File, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RemovedObjects != 1 || memos() != 0 {
		t.Errorf("gc removed %d objects and left %d memo references; want 1 and 0", rep.RemovedObjects, memos())
	}
}
