package pipecmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

func TestDescribeArrowTable(t *testing.T) {
	rec, err := arrowtab.NewBuilder().String("method", []string{"mse", "dfl", "ddim"}).
		Float64("regret", []float64{0.5, 0.25, 0.125}).Int64("seed", []int64{0, 1, 2}).
		Record(map[string]string{arrowtab.MetaKind: "table.results"})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	a, table := describe("eval", "table", artifacts.DigestOf(b), b, 2)
	if a.Format != "arrow" || a.Rows != 3 || len(a.Schema) != 3 || a.Schema[1].Type != "float64" || a.Metadata[arrowtab.MetaKind] != "table.results" {
		t.Fatalf("description %+v", a)
	}
	if len(a.Head) != 2 || a.Head[1]["method"] != "dfl" || a.Head[1]["regret"] != 0.25 {
		t.Errorf("head %v", a.Head)
	}
	for _, want := range []string{"[2x3] DataFrame", "mse", "0.250000", "<float>"} {
		if !strings.Contains(table, want) {
			t.Errorf("gota display lacks %q:\n%s", want, table)
		}
	}
	var out bytes.Buffer
	printArtifact(&out, a, table)
	if !strings.Contains(out.String(), "rows: 3") || !strings.Contains(out.String(), "metadata: pipe.kind = table.results") {
		t.Errorf("show output:\n%s", out.String())
	}
}

func TestPrintKind(t *testing.T) {
	var out bytes.Buffer
	printKind(&out, &pipeline.Kind{Name: "train", Doc: "Trains the denoiser.",
		Params: []pipeline.ParamSpec{
			{Name: "lr", Type: pipeline.Float, Default: 1e-3, Doc: "Adam step size"},
			{Name: "method", Type: pipeline.String, Enum: []string{"mse", "dfl"}},
		},
		Inputs:  []pipeline.PortSpec{{Name: "data", Doc: "training rows"}, {Name: "runs", Many: true}},
		Outputs: []pipeline.PortSpec{{Name: "model", Doc: "weights"}}})
	want := `kind: train
  Trains the denoiser.
  params:
    lr               float            default 0.001
        Adam step size
    method           string           required; one of mse, dfl
  inputs:
    data             training rows
    runs             (fan-in: a list or glob of stage.output)
  outputs:
    model            weights
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
