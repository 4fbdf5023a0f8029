package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestReadmeExample loads the example file of README.md, so that the
// documentation cannot drift from what the loader accepts.
func TestReadmeExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\n")
	src, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no yaml example")
	}
	reg := pipeline.NewRegistry()
	for _, k := range []pipeline.Kind{
		{Name: "load-data", Run: runNothing, Params: []pipeline.ParamSpec{{Name: "task", Type: pipeline.String}},
			Outputs: []pipeline.PortSpec{{Name: "data"}}},
		{Name: "train", Run: runNothing, Params: []pipeline.ParamSpec{{Name: "seed", Type: pipeline.Int},
			{Name: "lr", Type: pipeline.Float}, {Name: "epochs", Type: pipeline.Int, Default: 100}},
			Inputs: []pipeline.PortSpec{{Name: "data"}}, Outputs: []pipeline.PortSpec{{Name: "model"}}},
	} {
		if err := reg.Register(k); err != nil {
			t.Fatal(err)
		}
	}
	f, err := pipeline.Parse("README.md", []byte(src), pipeline.LoadOptions{Registry: reg, Profile: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 5 || len(f.Stages["summary"].Inputs[0].Refs) != 2 {
		t.Fatalf("README example under ci: %d stages %v", len(f.Stages), f.Names())
	}
	if f.Stages["train-power-s0"].Params["epochs"] != 1 {
		t.Errorf("ci profile not applied: %v", f.Stages["train-power-s0"].Params)
	}
	f, err = pipeline.Parse("README.md", []byte(src), pipeline.LoadOptions{Registry: reg})
	if err != nil || len(f.Stages) != 8 {
		t.Fatalf("README example: %v, %d stages", err, len(f.Stages))
	}
}
