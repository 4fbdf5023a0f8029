package pipeline_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// timedExecutor writes, for stage "train", a table of a result v and a
// wall-clock column that differs on every run; for "report", some bytes.
type timedExecutor struct {
	store artifacts.Store
	v     float64
	runs  int
	ran   []string
}

func (x *timedExecutor) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	x.runs++
	x.ran = append(x.ran, t.Stage)
	var b []byte
	if t.Stage == "train" {
		rec, err := artifacts.NewBuilder().Float64("v", []float64{x.v}).Float64("seconds", []float64{float64(x.runs)}).Record(nil)
		if err != nil {
			return nil, err
		}
		defer rec.Release()
		if b, err = artifacts.Marshal(rec); err != nil {
			return nil, err
		}
	} else {
		b = []byte("report")
	}
	outs := map[string]artifacts.Digest{}
	for _, o := range t.Outputs {
		d, err := x.store.Put(ctx, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		outs[o] = d
	}
	return &pipeline.Result{Outputs: outs}, nil
}

// TestMeasurementsLeaveDependentsCached reruns a stage whose output differs
// only in a measurement column: its dependent stays cached. A change in a
// result column reruns it.
func TestMeasurementsLeaveDependentsCached(t *testing.T) {
	reg := pipeline.NewRegistry()
	for _, k := range []pipeline.Kind{
		{Name: "fit", Doc: "fits", Run: runNothing,
			Outputs: []pipeline.PortSpec{{Name: "curve", Measures: []string{"seconds"}}}},
		{Name: "tabulate", Doc: "tabulates", Run: runNothing,
			Inputs: []pipeline.PortSpec{{Name: "curve"}}, Outputs: []pipeline.PortSpec{{Name: "table"}}},
	} {
		if err := reg.Register(k); err != nil {
			t.Fatal(err)
		}
	}
	f, err := pipeline.Parse("p.yaml", []byte("stages:\n  train: {kind: fit}\n  report: {kind: tabulate, inputs: {curve: train.curve}}\n"),
		pipeline.LoadOptions{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	f.Dir = t.TempDir()
	s := artifacts.NewMemStore()
	x := &timedExecutor{store: s, v: 1}
	run := func(force bool) []string {
		x.ran = nil
		eng := pipeline.NewEngine(pipeline.Config{File: f, Store: s, Executor: x,
			Fingerprints: &countingFingerprints{}})
		opts := pipeline.RunOptions{}
		if force {
			opts.Force = func(name string) bool { return name == "train" }
		}
		if _, err := eng.Run(context.Background(), nil, opts); err != nil {
			t.Fatal(err)
		}
		return x.ran
	}
	if ran := run(false); len(ran) != 2 {
		t.Fatalf("first run ran %v", ran)
	}
	if ran := run(true); len(ran) != 1 || ran[0] != "train" {
		t.Fatalf("a rerun that changed only the seconds column ran %v, want [train]", ran)
	}
	x.v = 2
	if ran := run(true); len(ran) != 2 {
		t.Fatalf("a rerun that changed a result ran %v, want [train report]", ran)
	}
}
