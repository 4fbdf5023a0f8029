package executortest

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// The suite's built-in kinds. They are named package-level functions, as
// pipeline.Registry requires.
var (
	doubleKind = &pipeline.Kind{Name: "double", Run: runDouble,
		Params:  []pipeline.ParamSpec{{Name: "factor", Type: pipeline.Float, Default: 2.0}},
		Inputs:  []pipeline.PortSpec{{Name: "in"}},
		Outputs: []pipeline.PortSpec{{Name: "out"}}}
	fileKind = &pipeline.Kind{Name: "filesize", Run: runFileSize,
		Outputs: []pipeline.PortSpec{{Name: "out"}}}
	failKind = &pipeline.Kind{Name: "fail", Run: runFail,
		Outputs: []pipeline.PortSpec{{Name: "out"}}}
	panicKind = &pipeline.Kind{Name: "panic", Run: runPanic,
		Outputs: []pipeline.PortSpec{{Name: "out"}}}
	lazyKind = &pipeline.Kind{Name: "lazy", Run: runLazy,
		Outputs: []pipeline.PortSpec{{Name: "out"}, {Name: "other"}}}
	waitKind = &pipeline.Kind{Name: "wait", Run: runWait,
		Outputs: []pipeline.PortSpec{{Name: "out"}}}
)

// runDouble multiplies column x of its input by the factor param.
func runDouble(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	xs, err := arrowtab.Float64s(in.Tables["in"], "x")
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = p.Float("factor") * x
	}
	r.Progress(int64(len(xs)), int64(len(xs)), "rows")
	r.Logf("doubled %d rows", len(xs))
	rec, err := arrowtab.NewBuilder().Float64("x", out).Record(map[string]string{arrowtab.MetaKind: "test.doubled"})
	return pipeline.Outputs{"out": rec}, err
}

// runFileSize reports the size of its external file "data".
func runFileSize(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	b, err := os.ReadFile(in.Files["data"])
	if err != nil {
		return nil, err
	}
	rec, err := arrowtab.NewBuilder().Int64("size", []int64{int64(len(b))}).Record(nil)
	return pipeline.Outputs{"out": rec}, err
}

func runFail(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	r.Logf("about to fail")
	return nil, fmt.Errorf("deliberate failure")
}

func runPanic(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	var m map[string]int
	m["boom"]++ // a nil-map write: a real runtime panic
	return nil, nil
}

// runLazy returns only one of its two declared outputs.
func runLazy(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	rec, err := waitTable()
	return pipeline.Outputs{"out": rec}, err
}

// runWait blocks until cancelled, then returns a table anyway, which the
// executor must not store.
func runWait(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	<-ctx.Done()
	rec, err := waitTable()
	return pipeline.Outputs{"out": rec}, err
}

func waitTable() (arrow.Record, error) {
	return arrowtab.NewBuilder().String("s", []string{"written after cancel"}).Record(nil)
}
