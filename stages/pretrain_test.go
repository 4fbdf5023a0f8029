package stages

import (
	"bytes"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestPretrainDiffusion checks the model's provenance metadata, the curve,
// determinism and that y_norm=train is stored with the model.
func TestPretrainDiffusion(t *testing.T) {
	data, _ := loadData(t, map[string]any{"n": 200, "seed": 2})
	in := map[string]arrow.Record{"data": data}
	params := map[string]any{"hidden": 16, "blocks": 2, "T": 100, "epochs": 40, "batch": 64, "y_norm": YNormTrain, "seed": 3, "schedule": model.ScheduleCosine}
	out, rep := runKind(t, pretrainDiffusionKind, params, in, "")
	again, _ := runKind(t, pretrainDiffusionKind, params, in, "")
	if !bytes.Equal(marshalOut(t, out)["model"], marshalOut(t, again)["model"]) {
		t.Error("two runs with the same params wrote different models")
	}
	rec := roundTrip(t, out["model"])
	meta := metaOf(rec)
	for k, want := range map[string]string{nn.MetaArch: nn.ArchDenoiser, MetaTask: TaskSynthetic, MetaDataset: TaskSynthetic,
		MetaSeed: "3", MetaStageKind: "pretrain-diffusion"} {
		if meta[k] != want {
			t.Errorf("model metadata %s = %q, want %q", k, meta[k], want)
		}
	}
	if !bytes.Contains([]byte(meta[MetaTrainedBy]), []byte(`"y_norm":"train"`)) {
		t.Errorf("trained_by %s lacks the params", meta[MetaTrainedBy])
	}
	pred, err := loadPredictor(rec)
	if err != nil {
		t.Fatal(err)
	}
	if pred.norm == nil || pred.diff.Sched.T != 100 || pred.diff.Sched.Config.Kind != model.ScheduleCosine {
		t.Errorf("loaded model: norm %v, schedule %+v", pred.norm, pred.diff.Sched.Config)
	}
	cv := out["curve"]
	train, _ := arrowtab.Float64s(cv, ColTrainLoss)
	hold, _ := arrowtab.Float64s(cv, ColHoldLoss)
	if len(train) != 40 || !(train[39] < train[0]) || math.IsNaN(hold[39]) || !math.IsNaN(hold[0]) {
		t.Errorf("curve: train %v…%v, hold at epochs 1 and 40: %v, %v", train[0], train[39], hold[0], hold[39])
	}
	if len(rep.progress) != 40 || !rep.has("hold loss") {
		t.Errorf("%d progress reports, log %v", len(rep.progress), rep.lines)
	}
}

// TestPretrainBaselines fits the Gaussian and the point model and checks
// that the loss falls, and the bias-only variant.
func TestPretrainBaselines(t *testing.T) {
	data, _ := loadData(t, map[string]any{"n": 200})
	in := map[string]arrow.Record{"data": data}
	for _, c := range []struct {
		kind   pipeline.Kind
		params map[string]any
		arch   string
	}{
		{pretrainGaussianKind, map[string]any{"hidden": 16, "layers": 2, "epochs": 60, "lr": 1e-2}, model.ArchGaussian},
		{pretrainMLPKind, map[string]any{"hidden": 16, "layers": 2, "epochs": 60, "batch": 32, "lr": 1e-2}, model.ArchPoint},
		{pretrainMLPKind, map[string]any{"epochs": 60, "bias_only": true, "lr": 1e-2}, model.ArchPoint},
	} {
		out, _ := runKind(t, c.kind, c.params, in, "")
		if arch, _ := arrowtab.Meta(out["model"], nn.MetaArch); arch != c.arch {
			t.Errorf("%s: architecture %q", c.kind.Name, arch)
		}
		train, _ := arrowtab.Float64s(out["curve"], ColTrainLoss)
		if !(train[len(train)-1] < train[0]) {
			t.Errorf("%s %v: training loss %g → %g did not fall", c.kind.Name, c.params, train[0], train[len(train)-1])
		}
		pred, err := loadPredictor(roundTrip(t, out["model"]))
		if err != nil {
			t.Fatal(err)
		}
		if c.params["bias_only"] == true && !pred.point.Config.BiasOnly {
			t.Error("bias_only model is not bias-only")
		}
	}
}
