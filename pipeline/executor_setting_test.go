package pipeline_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestExecutorSetting reads the top-level executor: setting: a name is
// kept as written (the program checks it), anything else is an error on
// its line.
func TestExecutorSetting(t *testing.T) {
	const stages = "stages:\n  a: {run: 'true', outputs: [o]}\n"
	for _, tc := range []struct {
		name, yaml, want, err string
	}{
		{"absent", stages, "", ""},
		{"temporal", "executor: temporal\n" + stages, "temporal", ""},
		{"any name", stages + "executor: somewhere\n", "somewhere", ""},
		{"number", "executor: 3\n" + stages, "", "p.yaml:1: executor: expected the name of an executor"},
		{"list", "executor: [local]\n" + stages, "", "p.yaml:1: executor: expected the name of an executor"},
		{"empty", "executor: ''\n" + stages, "", "p.yaml:1: executor: expected the name of an executor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := pipeline.Parse("p.yaml", []byte(tc.yaml), pipeline.LoadOptions{})
			if tc.err != "" {
				if !errors.Is(err, pipeline.ErrInvalid) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Executor != tc.want {
				t.Errorf("Executor = %q, want %q", f.Executor, tc.want)
			}
		})
	}
}
