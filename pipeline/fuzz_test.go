package pipeline_test

import (
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, and a
// file it accepts must be consistent.
func FuzzLoad(f *testing.F) {
	seeds := []string{
		goodYAML,
		"stages: {a: {run: x, outputs: [o]}, b: {run: y, inputs: {i: a.o}}}",
		"vars: {s: [1, 2]}\nstages:\n  t-${s}:\n    matrix: {s: \"${s}\"}\n    run: echo ${s}\n",
		"stages:\n  a-${x}-${y}:\n    matrix: {x: [1, 2], y: [a, b]}\n    exclude: [{x: 1, y: a}]\n    run: x\n",
		"stages: {a: {kind: train, params: {epochs: 1}, inputs: {data: b.d}}, b: {run: x, outputs: [d]}}\nprofiles: {ci: {params: {a: {lr: 2}}}}",
		"stages: {a: {run: x, outputs: [o], inputs: {i: a.o}}}",
		"stages: {s: {kind: summarize, inputs: {runs: [a.o, \"b*.o\"]}}, a: {run: x, outputs: [o]}, b1: {run: y, outputs: [o]}}",
		"pipelines: {p: [a]}\nexports: [{from: a.o, to: r.md, format: md}]\nstages: {a: {run: x, outputs: [o]}}",
		"stages: &x {a: *x}",
		"stages:\n  a:\n    run: !!binary aGVsbG8=\n",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	reg := testRegistry(f)
	f.Fuzz(func(t *testing.T, src string) {
		for _, profile := range []string{"", "ci"} {
			file, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{Registry: reg, Profile: profile})
			if err != nil {
				continue
			}
			if len(file.Names()) != len(file.Stages) {
				t.Fatalf("order has %d stages, file %d", len(file.Names()), len(file.Stages))
			}
			pos := map[string]int{}
			for i, n := range file.Names() {
				pos[n] = i
			}
			for _, n := range file.Names() {
				s := file.Stages[n]
				for _, u := range s.Upstream() {
					if _, ok := file.Stages[u]; !ok || pos[u] >= pos[n] {
						t.Fatalf("stage %s reads %s, which is missing or not before it", n, u)
					}
				}
				if _, err := pipeline.Canonical(s.Params); err != nil {
					t.Fatalf("stage %s params not encodable: %v", n, err)
				}
			}
		}
	})
}
