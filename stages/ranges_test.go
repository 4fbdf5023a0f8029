package stages

import (
	"errors"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestEveryNumericParamHasRange checks that every numeric param of every
// registered kind declares its valid range, and that the defaults are in it
// (registration checks that).
func TestEveryNumericParamHasRange(t *testing.T) {
	reg := registryForTest(t)
	for _, k := range reg.Kinds() {
		if miss := k.MissingRanges(); len(miss) > 0 {
			t.Errorf("kind %s: params without a range: %s (add them to paramRanges in ranges.go)", k.Name, strings.Join(miss, ", "))
		}
	}
}

// TestAbsurdParamsFailAtLoad loads files whose params are out of range or
// would need more memory than any machine has: each must fail when the
// file loads, naming the line, the stage and the param.
func TestAbsurdParamsFailAtLoad(t *testing.T) {
	reg := registryForTest(t)
	cases := []struct {
		stage, want string
	}{
		{"kind: data-synthetic\n    params: {n: 2000000000}", `stage "s": n = 2000000000, x_dim = 20, y_dim = 10 need at least`},
		{"kind: data-synthetic\n    params: {n: -5}", `stage "s": param "n": -5 is out of range: want ≥ 1`},
		{"kind: data-synthetic\n    params: {data_seed: -2}", `param "data_seed": -2 is out of range: want ≥ 0 or -1`},
		{"kind: pretrain-diffusion\n    params: {epochs: 0}\n    inputs: {data: d.table}", `param "epochs": 0 is out of range: want ≥ 1`},
		{"kind: pretrain-diffusion\n    params: {hidden: 60000, blocks: 1000}\n    inputs: {data: d.table}", "lower hidden or blocks or batch"},
		{"kind: dfl-mlp\n    params: {epochs: -1, mix: 2}\n    inputs: {data: d.table, model: d.table}", `param "epochs": -1 is out of range`},
		{"kind: aggregate\n    params: {bootstrap: 1}\n    inputs: {metrics: [d.table]}", `param "bootstrap": 1 is out of range: want ≥ 2`},
		{"kind: aggregate\n    params: {ci_level: 1}\n    inputs: {metrics: [d.table]}", `param "ci_level": 1 is out of range: want in (0, 1)`},
		{"kind: aggregate\n    params: {ci_level: 0}\n    inputs: {metrics: [d.table]}", `param "ci_level": 0 is out of range: want in (0, 1)`},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			src := "stages:\n  d: {kind: data-synthetic}\n  s:\n    " + c.stage + "\n"
			_, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{Registry: reg})
			if !errors.Is(err, pipeline.ErrInvalid) || !strings.Contains(err.Error(), "p.yaml:") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v\nwant ErrInvalid naming p.yaml and %q", err, c.want)
			}
		})
	}
}
