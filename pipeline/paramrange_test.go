package pipeline_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// rangeRegistry has a kind whose params declare ranges and a memory estimate
// of n × width × 8 bytes.
func rangeRegistry(t *testing.T) *pipeline.Registry {
	t.Helper()
	reg := pipeline.NewRegistry()
	err := reg.Register(pipeline.Kind{
		Name: "gen", Run: runNothing,
		Params: []pipeline.ParamSpec{
			{Name: "n", Type: pipeline.Int, Default: 10, Range: pipeline.AtLeast(1)},
			{Name: "width", Type: pipeline.Int, Default: 4, Range: pipeline.Between(1, 1<<20)},
			{Name: "lr", Type: pipeline.Float, Default: 1e-3, Range: pipeline.Positive()},
			{Name: "smooth", Type: pipeline.Float, Default: -1, Range: pipeline.AtLeast(0).Or(-1)},
			{Name: "sizes", Type: pipeline.Ints, Default: []int{2}, Range: pipeline.AtLeast(1)},
		},
		Outputs: []pipeline.PortSpec{{Name: "o"}},
		Memory: func(p pipeline.Params) (float64, []string) {
			return float64(p.Int("n")) * float64(p.Int("width")) * 8, []string{"n", "width"}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestParamRangesAtLoad checks that out-of-range values and absurd sizes are
// refused when the file is loaded, naming the file line, stage and param.
func TestParamRangesAtLoad(t *testing.T) {
	reg := rangeRegistry(t)
	cases := []struct {
		params string
		want   []string
	}{
		{"n: -1", []string{"p.yaml:5:", `stage "g"`, `param "n": -1 is out of range: want ≥ 1`}},
		{"lr: 0", []string{`param "lr": 0 is out of range: want > 0`}},
		{"smooth: -0.5", []string{`param "smooth": -0.5 is out of range: want ≥ 0 or -1`}},
		{"width: 2000000", []string{`want in [1, 1048576]`}},
		{"sizes: [3, 0]", []string{`param "sizes": item 2: 0 is out of range`}},
		{"n: 2000000000000", []string{"p.yaml:5:", `stage "g"`, "n = 2000000000000, width = 4 need at least", "lower n or width"}},
	}
	for _, c := range cases {
		t.Run(c.params, func(t *testing.T) {
			src := "stages:\n  g:\n    kind: gen\n    params:\n      " + c.params + "\n"
			_, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{Registry: reg})
			if !errors.Is(err, pipeline.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
	ok := "stages:\n  g:\n    kind: gen\n    params: {n: 5, smooth: -1, sizes: [1, 3]}\n"
	if _, err := pipeline.Parse("p.yaml", []byte(ok), pipeline.LoadOptions{Registry: reg}); err != nil {
		t.Fatalf("valid params refused: %v", err)
	}
}

// TestRegisterRejectsDefaultOutOfRange checks a kind's own default against its range.
func TestRegisterRejectsDefaultOutOfRange(t *testing.T) {
	reg := pipeline.NewRegistry()
	err := reg.Register(pipeline.Kind{Name: "k", Run: runNothing,
		Params: []pipeline.ParamSpec{{Name: "n", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(1)}}})
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("err = %v, want the default refused", err)
	}
}

// TestRangeString pins the forms `pipe stages` shows.
func TestRangeString(t *testing.T) {
	for r, want := range map[*pipeline.Range]string{
		pipeline.AtLeast(1):               "≥ 1",
		pipeline.Positive():               "> 0",
		pipeline.Between(0, 1):            "in [0, 1]",
		pipeline.AtLeast(0).Or(-1):        "≥ 0 or -1",
		pipeline.Positive().Upto(1e9):     "in (0, 1000000000]",
		pipeline.AtLeast(1).Upto(1 << 20): "in [1, 1048576]",
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v: %q, want %q", *r, got, want)
		}
	}
}
