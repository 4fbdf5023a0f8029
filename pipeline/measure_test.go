package pipeline_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/arrowtab"
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
		rec, err := arrowtab.NewBuilder().Float64("v", []float64{x.v}).Float64("seconds", []float64{float64(x.runs)}).Record(nil)
		if err != nil {
			return nil, err
		}
		defer rec.Release()
		if b, err = arrowtab.Marshal(rec); err != nil {
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

// measuredFile is a file of two stages: train, whose kind declares a
// measurement column of its output, and report, which reads it.
func measuredFile(t *testing.T) *pipeline.File {
	t.Helper()
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
	return f
}

// TestCorruptMeasuredInputReruns corrupts an output with measurement
// columns whose key digest is not memoized yet, so computing the reader's
// key meets the corruption: status reports the producer and the reader
// stale with the reason, and a run quarantines the object and reruns the
// producer, like for any corrupt input.
func TestCorruptMeasuredInputReruns(t *testing.T) {
	ctx := context.Background()
	f := measuredFile(t)
	s := artifacts.NewMemStore()
	x := &timedExecutor{store: s, v: 1}
	engine := func() *pipeline.Engine {
		return pipeline.NewEngine(pipeline.Config{File: f, Store: s, Executor: x, Fingerprints: &countingFingerprints{}})
	}
	rep, err := engine().Run(ctx, []string{"train"}, pipeline.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.CorruptForTest(rep.Stages[0].Outputs["curve"])
	sts, err := engine().Status(ctx, nil)
	if err != nil {
		t.Fatalf("status with a corrupt measured input: %v", err)
	}
	for _, st := range sts {
		if st.Cached || !strings.Contains(st.Reason, "corrupt") {
			t.Errorf("status of %s: cached %v, reason %q; want stale, naming the corrupt output", st.Name, st.Cached, st.Reason)
		}
	}
	x.ran = nil
	if _, err := engine().Run(ctx, nil, pipeline.RunOptions{Jobs: 1}); err != nil {
		t.Fatalf("run with a corrupt measured input: %v", err)
	}
	if strings.Join(x.ran, ",") != "train,report" {
		t.Errorf("ran %v, want [train report] (the producer reruns, then the reader)", x.ran)
	}
}
