package kind_test

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/kind"
)

// scaleKind multiplies the column x of its input table by the param factor.
var scaleKind = kind.Kind{
	Name:    "scale",
	Doc:     "Multiplies column x of the input table by factor.",
	Params:  []kind.ParamSpec{{Name: "factor", Type: kind.Float, Default: 2.0, Doc: "the multiplier", Range: kind.Positive()}},
	Inputs:  []kind.PortSpec{{Name: "table", Doc: "a table with a float64 column x"}},
	Outputs: []kind.PortSpec{{Name: "table", Doc: "the same column, scaled"}},
	Run:     runScale,
}

// runScale is scaleKind's Run: a named function, so that its fingerprint
// can follow its source.
func runScale(_ context.Context, in kind.Inputs, p kind.Params, r kind.Reporter) (kind.Outputs, error) {
	x, err := arrowtab.Float64s(in.Tables["table"], "x") // a copy: the input is the runner's
	if err != nil {
		return nil, fmt.Errorf("scale: input table: %w", err)
	}
	f := p.Float("factor")
	for i := range x {
		x[i] *= f
	}
	r.Logf("scaled %d values by %g", len(x), f)
	out, err := arrowtab.NewBuilder().Float64("x", x).Record(nil)
	if err != nil {
		return nil, err
	}
	return kind.Outputs{"table": out}, nil
}

// printReporter writes the stage's log lines to standard output.
type printReporter struct{}

func (printReporter) Logf(format string, args ...any)      { fmt.Printf("log: "+format+"\n", args...) }
func (printReporter) Log() io.Writer                       { return io.Discard }
func (printReporter) Progress(done, total int64, _ string) {}

// A kind is declared once, registered by the program that offers it, and
// run by the engine with its checked params. Here the example runs it by
// hand, as a kind's unit test would.
func Example() {
	reg := kind.NewRegistry()
	if err := reg.Register(scaleKind); err != nil {
		fmt.Println(err)
		return
	}
	k, _ := reg.Lookup("scale")
	params, problems := k.CheckParams(kind.Params{"factor": 3}) // an int is accepted for a float
	if len(problems) > 0 {
		fmt.Println(problems)
		return
	}
	in, _ := arrowtab.NewBuilder().Float64("x", []float64{1, 2.5}).Record(nil)
	defer in.Release()
	out, err := k.Run(context.Background(), kind.Inputs{Tables: map[string]arrow.Record{"table": in}}, params, printReporter{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out["table"].Release()
	x, _ := arrowtab.Float64s(out["table"], "x")
	fmt.Println(x)
	_, problems = k.CheckParams(kind.Params{"factor": -1, "facter": 2})
	fmt.Println(problems["factor"])
	fmt.Println(problems["facter"])
	// Output:
	// log: scaled 2 values by 3
	// [3 7.5]
	// param "factor": -1 is out of range: want > 0
	// unknown param "facter" for kind "scale" (did you mean "factor"?) (known: factor)
}
