package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// runNothing is a test kind's implementation; it is never executed here.
func runNothing(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	return pipeline.Outputs{}, nil
}

func testRegistry(t testing.TB) *pipeline.Registry {
	t.Helper()
	reg := pipeline.NewRegistry()
	kinds := []pipeline.Kind{{
		Name: "train", Doc: "trains", Run: runNothing,
		Params: []pipeline.ParamSpec{
			{Name: "lr", Type: pipeline.Float, Default: 1e-3},
			{Name: "epochs", Type: pipeline.Int},
			{Name: "method", Type: pipeline.String, Default: "mse", Enum: []string{"mse", "dfl"}},
			{Name: "hidden", Type: pipeline.Ints, Default: []int{64, 64}},
		},
		Inputs:  []pipeline.PortSpec{{Name: "data"}},
		Outputs: []pipeline.PortSpec{{Name: "model"}},
	}, {
		Name: "summarize", Doc: "collects", Run: runNothing,
		Inputs:  []pipeline.PortSpec{{Name: "runs", Many: true}},
		Outputs: []pipeline.PortSpec{{Name: "table"}},
	}}
	for _, k := range kinds {
		if err := reg.Register(k); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

const goodYAML = `
vars:
  seeds: [0, 1, 2]
  tasks: [power, synthetic]
stages:
  data-${task}:
    matrix: {task: "${tasks}"}
    run: echo ${task} > $PIPE_OUT_DATA
    outputs: [data]
  train-${task}-s${seed}:
    matrix:
      task: ${tasks}
      seed: ${seeds}
    exclude:
      - {task: power, seed: 2}
    kind: train
    params: {epochs: 10, lr: 1}
    inputs:
      data: data-${task}.data
  summary:
    kind: summarize
    inputs: {runs: "train-*.model"}
pipelines:
  all: [summary]
profiles:
  ci:
    vars: {seeds: [0]}
    params:
      "train-*": {epochs: 1}
exports:
  - {from: summary.table, to: results/table.md, format: md}
`

func TestLoadExpandsTemplates(t *testing.T) {
	f, err := pipeline.Parse("p.yaml", []byte(goodYAML), pipeline.LoadOptions{Registry: testRegistry(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"data-power", "data-synthetic", "train-power-s0", "train-power-s1",
		"train-synthetic-s0", "train-synthetic-s1", "train-synthetic-s2", "summary"}
	if got := f.Names(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("stages in order\n got %v\nwant %v", got, want)
	}
	tr := f.Stages["train-power-s1"]
	if tr.Params["lr"] != 1.0 || tr.Params["epochs"] != 10 || tr.Params["method"] != "mse" {
		t.Errorf("params not normalized or defaulted: %#v", tr.Params)
	}
	if h, ok := tr.Params["hidden"].([]any); !ok || len(h) != 2 || h[0] != 64 {
		t.Errorf("default list param = %#v", tr.Params["hidden"])
	}
	if tr.Inputs[0].Refs[0].String() != "data-power.data" {
		t.Errorf("input = %v", tr.Inputs[0].Refs)
	}
	if d := f.Stages["data-synthetic"]; d.Run != "echo synthetic > $PIPE_OUT_DATA" {
		t.Errorf("run = %q", d.Run)
	}
	sum := f.Stages["summary"]
	if !sum.Inputs[0].Many || len(sum.Inputs[0].Refs) != 5 {
		t.Errorf("fan-in = %+v", sum.Inputs[0])
	}
	if names := sum.InputNames(); names[0] != "runs/train-power-s0.model" {
		t.Errorf("fan-in names = %v", names)
	}
	if len(f.Exports) != 1 || f.Exports[0].To != "results/table.md" {
		t.Errorf("exports = %+v", f.Exports)
	}
}

func TestLoadProfile(t *testing.T) {
	f, err := pipeline.Parse("p.yaml", []byte(goodYAML), pipeline.LoadOptions{Registry: testRegistry(t), Profile: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Stages["train-synthetic-s1"]; ok {
		t.Error("profile vars did not shrink the seed list")
	}
	if got := f.Stages["train-power-s0"].Params["epochs"]; got != 1 {
		t.Errorf("profile params: epochs = %v, want 1", got)
	}
	targets, err := f.Targets([]string{"all"})
	if err != nil || len(f.Closure(targets)) != 5 {
		t.Errorf("closure of all = %v, %v", f.Closure(targets), err)
	}
}

// TestLoadErrors checks that every kind of mistake is reported with the
// file, the line and the stage to fix.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, yaml, profile string
		want                []string // substrings of the error
	}{
		{"unknown top key", "stages: {a: {run: x}}\nstagse: {}\n", "", []string{"p.yaml:2: ", `unknown key "stagse"`}},
		{"unknown stage key", "stages:\n  a:\n    run: x\n    parms: {}\n", "", []string{"p.yaml:4: ", `stage "a"`, `unknown key "parms"`}},
		{"unknown kind", "stages:\n  a:\n    kind: trian\n", "", []string{"p.yaml:3: ", `stage "a"`, `unknown kind "trian"`}},
		{"both kind and run", "stages:\n  a:\n    kind: train\n    run: x\n", "", []string{"p.yaml:4:", "either kind: or run:"}},
		{"neither kind nor run", "stages:\n  a:\n    outputs: [x]\n", "", []string{"p.yaml:2:", `stage "a"`, "either kind:"}},
		{"missing stage", "stages:\n  a:\n    run: x\n    inputs: {d: nope.out}\n", "", []string{"p.yaml:4:", `stage "a"`, `missing stage "nope"`}},
		{"missing output", "stages:\n  b: {run: x, outputs: [o]}\n  a:\n    run: x\n    inputs: {d: b.other}\n", "", []string{"p.yaml:5:", `no output "other"`}},
		{"duplicate after expansion", "stages:\n  a-${x}:\n    matrix: {x: [1, 1]}\n    run: x\n", "", []string{"p.yaml:2:", `stage "a-1"`, "duplicate stage name"}},
		{"duplicate across templates", "stages:\n  a-1: {run: x}\n  a-${x}:\n    matrix: {x: [1]}\n    run: x\n", "", []string{"p.yaml:3:", "duplicate stage name (first defined at line 2)"}},
		{"cycle", "stages:\n  a: {run: x, outputs: [o], inputs: {i: c.o}}\n  b: {run: x, outputs: [o], inputs: {i: a.o}}\n  c: {run: x, outputs: [o], inputs: {i: b.o}}\n", "", []string{"p.yaml:", "dependency cycle: a → b → c → a"}},
		{"self cycle", "stages:\n  a: {run: x, outputs: [o], inputs: {i: a.o}}\n", "", []string{"p.yaml:2:", "dependency cycle: a → a"}},
		{"wrong param type", "stages:\n  a:\n    kind: train\n    params:\n      epochs: ten\n    inputs: {data: b.d}\n  b: {run: x, outputs: [d]}\n", "", []string{"p.yaml:5:", `stage "a"`, `param "epochs": expected int, found string "ten"`}},
		{"enum", "stages:\n  a:\n    kind: train\n    params: {epochs: 1, method: l2}\n    inputs: {data: b.d}\n  b: {run: x, outputs: [d]}\n", "", []string{"p.yaml:4:", `"l2" is not one of mse, dfl`}},
		{"unknown param", "stages:\n  a:\n    kind: train\n    params:\n      epochs: 1\n      lrr: 2\n    inputs: {data: b.d}\n  b: {run: x, outputs: [d]}\n", "", []string{"p.yaml:6:", `unknown param "lrr"`}},
		{"required param", "stages:\n  a:\n    kind: train\n    inputs: {data: b.d}\n  b: {run: x, outputs: [d]}\n", "", []string{`param "epochs" (int) is required`}},
		{"missing kind input", "stages:\n  a:\n    kind: train\n    params: {epochs: 1}\n", "", []string{"p.yaml:2:", `requires input "data"`}},
		{"list to single input", "stages:\n  a:\n    kind: train\n    params: {epochs: 1}\n    inputs: {data: [b.d, c.d]}\n  b: {run: x, outputs: [d]}\n  c: {run: x, outputs: [d]}\n", "", []string{"p.yaml:5:", "exactly one"}},
		{"undefined var", "stages:\n  a:\n    run: x\n    params:\n      s: ${nope}\n", "", []string{"p.yaml:5:", "undefined variable ${nope}"}},
		{"matrix var unused", "stages:\n  a:\n    matrix: {x: [1, 2]}\n    run: x\n", "", []string{"p.yaml:3:", `matrix variable "x" is not used`}},
		{"matrix not a list", "vars: {n: 3}\nstages:\n  a-${x}:\n    matrix:\n      x: ${n}\n    run: x\n", "", []string{"p.yaml:5:", "expected a list"}},
		{"exclude unknown var", "stages:\n  a-${x}:\n    matrix: {x: [1, 2]}\n    exclude: [{y: 1}]\n    run: x\n", "", []string{"p.yaml:4:", `"y", which is not a matrix variable`}},
		{"unknown profile", "stages: {a: {run: x}}\nprofiles: {ci: {}}\n", "paper", []string{`unknown profile "paper" (defined: ci)`}},
		{"profile pattern no match", "stages: {a: {run: x}}\nprofiles:\n  ci:\n    params:\n      b-*: {x: 1}\n", "ci", []string{"p.yaml:5:", `pattern "b-*" matches no stage`}},
		{"profile bad param type", "stages:\n  a:\n    kind: train\n    params: {epochs: 1}\n    inputs: {data: b.d}\n  b: {run: x, outputs: [d]}\nprofiles:\n  ci:\n    params:\n      a: {epochs: 0.5}\n", "ci", []string{"p.yaml:10:", `stage "a"`, `param "epochs": expected int`}},
		{"profile unknown var", "vars: {s: [1]}\nstages: {a: {run: x}}\nprofiles:\n  ci:\n    vars: {seeds: [1]}\n", "ci", []string{"p.yaml:5:", `var "seeds" is not defined`}},
		{"pipeline target", "stages: {a: {run: x}}\npipelines:\n  all: [a, b]\n", "", []string{"p.yaml:3:", `target "b" is not a stage`}},
		{"glob matches nothing", "stages:\n  a:\n    run: x\n    inputs: {r: \"t-*.m\"}\n", "", []string{"p.yaml:4:", `pattern "t-*.m" matches no stage`}},
		{"export format", "stages: {a: {run: x, outputs: [o]}}\nexports:\n  - {from: a.o, to: r.txt, format: xls}\n", "", []string{"p.yaml:3:", `format "xls"`}},
		{"export outside", "stages: {a: {run: x, outputs: [o]}}\nexports:\n  - {from: a.o, to: ../r.md, format: md}\n", "", []string{"p.yaml:3:", "inside the directory"}},
		{"env collision", "stages:\n  a:\n    run: x\n    outputs: [o, O]\n", "", []string{"p.yaml:4:", "PIPE_OUT_O"}},
		{"bad stage name", "stages:\n  \"a b\": {run: x}\n", "", []string{"p.yaml:2:", "invalid stage name"}},
		{"not yaml", "stages:\n  a: {run: [x\n", "", []string{"p.yaml:2: yaml: "}},
		{"empty", "", "", []string{"empty file"}},
	}
	reg := testRegistry(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := pipeline.Parse("p.yaml", []byte(c.yaml), pipeline.LoadOptions{Registry: reg, Profile: c.profile})
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !errors.Is(err, pipeline.ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestRegisterRejectsClosures(t *testing.T) {
	reg := pipeline.NewRegistry()
	run := func(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
		return nil, nil
	}
	err := reg.Register(pipeline.Kind{Name: "c", Run: run})
	if err == nil || !strings.Contains(err.Error(), "named package-level function") {
		t.Fatalf("closure accepted: %v", err)
	}
	bad := pipeline.Kind{Name: "d", Run: runNothing, Params: []pipeline.ParamSpec{{Name: "n", Type: pipeline.Int, Default: "x"}}}
	if err := reg.Register(bad); err == nil {
		t.Fatal("mistyped default accepted")
	}
}

// YAML merge keys (<<) share blocks between stages: explicit keys win over
// merged ones, the first of several merged mappings wins, and whole stage
// bodies can be merged.
func TestLoadMergeKeys(t *testing.T) {
	const src = `
stages:
  a:
    run: echo a > $PIPE_OUT_OUT
    params: &pa {<<: [{lr: 1, epochs: 3}, {epochs: 9, method: mse}], lr: 2}
    outputs: [out]
  b:
    <<: {run: echo b > $PIPE_OUT_OUT, outputs: [out]}
    params: {<<: *pa}
`
	f, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		p := f.Stages[name].Params
		if p["lr"] != 2 || p["epochs"] != 3 || p["method"] != "mse" {
			t.Errorf("stage %s params = %#v, want lr 2 (explicit), epochs 3 (first merge), method mse", name, p)
		}
	}
	if f.Stages["b"].Run != "echo b > $PIPE_OUT_OUT" {
		t.Errorf("merged stage body: run = %q", f.Stages["b"].Run)
	}
	if _, err := pipeline.Parse("p.yaml", []byte("stages:\n  a:\n    <<: [1, 2]\n    run: x\n"), pipeline.LoadOptions{}); err == nil {
		t.Error("merging a list of scalars: want an error")
	}
}

// Export paths take ${var}s, so a profile can write its tables elsewhere;
// an undefined variable is reported at the export's line.
func TestLoadExportVars(t *testing.T) {
	const src = `vars: {out: results}
stages:
  a:
    run: echo a > $PIPE_OUT_T
    outputs: [t]
exports:
  - {from: a.t, to: "${out}/a.txt", format: raw}
profiles:
  ci: {vars: {out: results/ci}}
`
	for _, c := range []struct{ profile, want string }{{"", "results/a.txt"}, {"ci", "results/ci/a.txt"}} {
		f, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{Profile: c.profile})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Exports[0].To; got != c.want {
			t.Errorf("profile %q: export to %q, want %q", c.profile, got, c.want)
		}
	}
	_, err := pipeline.Parse("p.yaml", []byte(strings.Replace(src, "${out}", "${nope}", 1)), pipeline.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "p.yaml:7") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("undefined export var: err = %v, want it named at p.yaml:7", err)
	}
}
