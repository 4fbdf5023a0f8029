package stages

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// tinyDFL is a small synthetic setup: 200 rows and a briefly pretrained
// 16-wide denoiser, enough for the DFL loop to run in tens of milliseconds.
type tinyDFL struct {
	data, diffusion, gaussian, point arrow.Record
}

func newTinyDFL(t testing.TB) *tinyDFL {
	t.Helper()
	data, _ := loadData(t, map[string]any{"n": 200, "seed": 1})
	in := map[string]arrow.Record{"data": data}
	pd, _ := runKind(t, pretrainDiffusionKind, map[string]any{"hidden": 16, "blocks": 1, "epochs": 100, "batch": 64, "shuffle_y": true}, in, "")
	pg, _ := runKind(t, pretrainGaussianKind, map[string]any{"hidden": 16, "layers": 1, "epochs": 100}, in, "")
	pm, _ := runKind(t, pretrainMLPKind, map[string]any{"hidden": 16, "layers": 1, "epochs": 100}, in, "")
	return &tinyDFL{data: data, diffusion: roundTrip(t, pd["model"]), gaussian: roundTrip(t, pg["model"]), point: roundTrip(t, pm["model"])}
}

// dflParams are fast settings for the DFL kinds.
func dflParams(extra map[string]any) map[string]any {
	p := map[string]any{"epochs": 3, "samples": 3, "steps": 3, "K": 2, "batch": 32, "lr": 1e-3, "seed": 4, "method": "diffusion-sf"}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// withoutTiming returns rec's bytes with the wall-clock and heap columns
// (the only nondeterministic values) zeroed.
func withoutTiming(t testing.TB, rec arrow.Record) []byte {
	t.Helper()
	b := arrowtab.NewBuilder()
	for i, f := range rec.Schema().Fields() {
		switch f.Name {
		case ColSeconds, ColSecPerStepMean, ColSecPerStepMedian, ColPeakHeapBytes:
			b.Float64(f.Name, make([]float64, rec.NumRows()))
		default:
			switch f.Type.ID() {
			case arrow.INT64:
				v, _ := arrowtab.Int64s(rec, f.Name)
				b.Int64(f.Name, v)
			case arrow.STRING:
				v, _ := arrowtab.Strings(rec, f.Name)
				b.String(f.Name, v)
			default:
				v, _ := arrowtab.Float64s(rec, rec.ColumnName(i))
				b.Float64(f.Name, v)
			}
		}
	}
	out, err := b.Record(metaOf(rec))
	if err != nil {
		t.Fatal(err)
	}
	return marshalOut(t, pipeline.Outputs{"x": out})["x"]
}

func TestDFLDiffusionOutputs(t *testing.T) {
	fx := newTinyDFL(t)
	for _, c := range []struct {
		estimator, timesteps, variant string
		checkpoint                    int
	}{{EstimatorSF, TimestepsUniform, ImportancePlain, 0}, {EstimatorSF, TimestepsImportance, ImportanceSelfNormal, 0}, {EstimatorRP, TimestepsUniform, ImportancePlain, 2}} {
		t.Run(c.estimator+"-"+c.timesteps, func(t *testing.T) {
			params := dflParams(map[string]any{"estimator": c.estimator, "timesteps": c.timesteps, "importance_variant": c.variant, "checkpoint": c.checkpoint})
			in := map[string]arrow.Record{"data": fx.data, "model": fx.diffusion}
			out, rep := runKind(t, dflDiffusionKind, params, in, "")
			again, _ := runKind(t, dflDiffusionKind, params, in, "")
			if !bytes.Equal(marshalOut(t, out)["model"], marshalOut(t, again)["model"]) {
				t.Error("two runs with the same params wrote different models")
			}
			for _, name := range []string{"curve", "stats"} {
				if !bytes.Equal(withoutTiming(t, out[name]), withoutTiming(t, again[name])) {
					t.Errorf("two runs wrote different %s (timings aside)", name)
				}
			}
			checkDFLOutputs(t, out, rep, 3, 4)
			stats := out["stats"]
			want := map[string]string{MetaEstimator: c.estimator, MetaStepsS: "3", MetaMethod: "diffusion-sf"}
			if c.estimator == EstimatorSF {
				want[MetaTimesteps], want[MetaK] = c.timesteps, "2"
			}
			for k, v := range want {
				if got, _ := arrowtab.Meta(stats, k); got != v {
					t.Errorf("stats metadata %s = %q, want %q", k, got, v)
				}
			}
			if eb, _ := arrowtab.Float64s(stats, ColEstimatorBytes); !(eb[0] > 0) {
				t.Errorf("estimator bytes %v", eb)
			}
			if _, err := loadPredictor(roundTrip(t, out["model"])); err != nil {
				t.Errorf("the trained model does not load: %v", err)
			}
		})
	}
}

// checkDFLOutputs checks a DFL kind's curve and stats against each other:
// one curve row per epoch plus epoch 0, the selected epoch is the one with
// the lowest hold task loss, progress counts steps up to the total, and the
// log names every epoch and the selection.
func checkDFLOutputs(t *testing.T, out pipeline.Outputs, rep *logReporter, epochs, stepsPerEpoch int) {
	t.Helper()
	cv := out["curve"]
	ep, _ := arrowtab.Int64s(cv, ColEpoch)
	hold, _ := arrowtab.Float64s(cv, ColHoldTaskLoss)
	if len(ep) != epochs+1 || ep[0] != 0 {
		t.Fatalf("curve epochs %v", ep)
	}
	best := 0
	for i, h := range hold {
		if h < hold[best] {
			best = i
		}
	}
	be, _ := arrowtab.Int64s(out["stats"], ColBestEpoch)
	steps, _ := arrowtab.Int64s(out["stats"], ColSteps)
	if int(be[0]) != best || int(steps[0]) != epochs*stepsPerEpoch {
		t.Errorf("best epoch %d and %d steps; the curve's best hold loss is at epoch %d, want %d steps", be[0], steps[0], best, epochs*stepsPerEpoch)
	}
	if last, want := rep.progress[len(rep.progress)-1], fmt.Sprintf("%d/%d step", epochs*stepsPerEpoch, epochs*stepsPerEpoch); last != want {
		t.Errorf("last progress %q", last)
	}
	if !rep.has("epoch 1/") || !rep.has("selected epoch") || !rep.has("blas: ") {
		t.Errorf("log lacks epoch, selection or BLAS lines: %v", rep.lines)
	}
	for _, k := range []string{MetaTask, MetaDataset, MetaSeed, MetaMethod, MetaStageKind, MetaTrainedBy} {
		if v, ok := arrowtab.Meta(out["model"], k); !ok || v == "" {
			t.Errorf("model metadata %s missing", k)
		}
	}
}

// TestSelectionNeverSeesTest poisons the test targets and checks that the
// trained model, the selected epoch and the curve are unchanged: selection
// reads the hold split only.
func TestSelectionNeverSeesTest(t *testing.T) {
	fx := newTinyDFL(t)
	d, err := datasets.FromRecord(fx.data)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Rows(datasets.Test) {
		for j := 0; j < 10; j++ {
			d.Y.Set(r, j, -1000*d.Y.At(r, j)+7)
		}
	}
	poisoned, err := d.Record()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		kind  pipeline.Kind
		model arrow.Record
	}{{dflDiffusionKind, fx.diffusion}, {dflGaussianKind, fx.gaussian}, {dflMLPKind, fx.point}} {
		params := dflParams(nil)
		if k.kind.Name != "dfl-diffusion" {
			params = map[string]any{"epochs": 3, "lr": 1e-3, "seed": 4}
		}
		a, _ := runKind(t, k.kind, params, map[string]arrow.Record{"data": fx.data, "model": k.model}, "")
		b, _ := runKind(t, k.kind, params, map[string]arrow.Record{"data": roundTrip(t, poisoned), "model": k.model}, "")
		if !bytes.Equal(marshalOut(t, a)["model"], marshalOut(t, b)["model"]) {
			t.Errorf("%s: poisoning the test targets changed the trained model", k.kind.Name)
		}
		if !bytes.Equal(withoutTiming(t, a["stats"]), withoutTiming(t, b["stats"])) {
			t.Errorf("%s: poisoning the test targets changed the stats (selected epoch)", k.kind.Name)
		}
	}
}

// TestPatienceAndCommonRandomNumbers trains with lr = 0: the model never
// changes, so with the same hold draws every epoch the hold loss is
// identical, no epoch is better than epoch 0, and patience stops the run.
func TestPatienceAndCommonRandomNumbers(t *testing.T) {
	fx := newTinyDFL(t)
	out, rep := runKind(t, dflDiffusionKind, dflParams(map[string]any{"lr": 0, "epochs": 6, "patience": 2}),
		map[string]arrow.Record{"data": fx.data, "model": fx.diffusion}, "")
	hold, _ := arrowtab.Float64s(out["curve"], ColHoldTaskLoss)
	if len(hold) != 3 {
		t.Fatalf("%d curve rows, want epoch 0 and 2 epochs before patience stops", len(hold))
	}
	for _, h := range hold[1:] {
		if h != hold[0] {
			t.Errorf("hold losses %v differ although the model did not change", hold)
		}
	}
	if be, _ := arrowtab.Int64s(out["stats"], ColBestEpoch); be[0] != 0 {
		t.Errorf("best epoch %d, want 0", be[0])
	}
	if !rep.has("stopping") {
		t.Errorf("log %v", rep.lines)
	}
}

func TestDFLBaselinesAndPolicy(t *testing.T) {
	fx := newTinyDFL(t)
	for _, c := range []struct {
		kind   pipeline.Kind
		model  arrow.Record
		params map[string]any
		est    string
	}{
		{dflGaussianKind, fx.gaussian, map[string]any{"estimator": EstimatorSF, "method": "gaussian-sf"}, EstimatorSF},
		{dflGaussianKind, fx.gaussian, map[string]any{"estimator": EstimatorRP, "method": "gaussian-rp", "legacy_drop_mse": true}, EstimatorRP},
		{dflGaussianKind, fx.gaussian, map[string]any{"estimator": EstimatorSF, "legacy_sf": true, "legacy_drop_mse": true, "decision": DecisionPooled}, EstimatorSF},
		{dflMLPKind, fx.point, map[string]any{"method": "deterministic", "mix": 1}, "point"},
	} {
		p := map[string]any{"epochs": 2, "batch": 64, "lr": 1e-3, "seed": 1}
		if c.kind.Name == "dfl-gaussian" {
			p["samples"] = 3
		}
		for k, v := range c.params {
			p[k] = v
		}
		out, rep := runKind(t, c.kind, p, map[string]arrow.Record{"data": fx.data, "model": c.model}, "")
		checkDFLOutputs(t, out, rep, 2, 2)
		if est, _ := arrowtab.Meta(out["stats"], MetaEstimator); est != c.est {
			t.Errorf("%s: estimator %q, want %q", c.kind.Name, est, c.est)
		}
	}
	out, rep := runKind(t, policyKind, map[string]any{"hidden": 8, "layers": 1, "epochs": 4, "project": true, "lr": 1e-2},
		map[string]arrow.Record{"data": fx.data}, "")
	if pr, _ := arrowtab.Meta(out["model"], MetaProject); pr != metaTrue {
		t.Errorf("policy metadata %s = %q", MetaProject, pr)
	}
	hold, _ := arrowtab.Float64s(out["curve"], ColHoldTaskLoss)
	if len(hold) != 5 || !rep.has("selected epoch") {
		t.Errorf("policy curve %v, log %v", hold, rep.lines)
	}
	all, _ := runKind(t, policyKind, map[string]any{"hidden": 8, "layers": 1, "epochs": 2, "train_on": TrainOnTrainHold},
		map[string]arrow.Record{"data": fx.data}, "")
	if hold, _ := arrowtab.Float64s(all["curve"], ColHoldTaskLoss); len(hold) != 2 || !math.IsNaN(hold[0]) {
		t.Errorf("train_hold policy curve %v, want 2 epochs and no hold losses", hold)
	}
}

// TestMixing checks the update directions of the gradient-norm mixing
// against the formulas of trainer.step on hand-made gradients.
func TestMixing(t *testing.T) {
	p := &nn.Param{Name: "w", W: nn.NewMatrix(1, 2), G: nn.NewMatrix(1, 2)}
	gD, gR := []float32{3, 4}, []float32{0, 0.5} // norms 5 and 0.5
	for _, c := range []struct {
		name string
		cfg  loopConfig
		want []float64
	}{
		// 0.2·(0.5/5)·gD + 0.8·gR
		{"den", loopConfig{mix: 0.2, mixScale: "den"}, []float64{0.2 * 0.1 * 3, 0.2*0.1*4 + 0.8*0.5}},
		// 0.9·gD + 0.1·(5/0.5)·gR
		{"dfl", loopConfig{mix: 0.9, mixScale: "dfl"}, []float64{0.9 * 3, 0.9*4 + 0.1*10*0.5}},
		// 0.9·(0.5/5)·gD
		{"legacy drop", loopConfig{mix: 0.9, legacyDrop: true}, []float64{0.9 * 0.1 * 3, 0.9 * 0.1 * 4}},
		// 0.9·(1e-6/5 + 1e-8)·gD
		{"legacy Gaussian SF", loopConfig{mix: 0.9, legacyDrop: true, legacyRegNorm: 1e-6}, []float64{0.9 * (2e-7 + 1e-8) * 3, 0.9 * (2e-7 + 1e-8) * 4}},
	} {
		tr := &trainer{cfg: c.cfg, ps: []*nn.Param{p}, gD: gD, gR: gR}
		tr.mix()
		for i, w := range c.want {
			if got := float64(p.G.Data[i]); math.Abs(got-w) > 1e-6*math.Abs(w)+1e-12 {
				t.Errorf("%s: direction %v, want %v", c.name, p.G.Data, c.want)
				break
			}
		}
	}
}

// TestMinibatches checks that an epoch visits every row once.
func TestMinibatches(t *testing.T) {
	bs := minibatches(10, 4, newRNG(1, 1))
	var all []int
	for _, b := range bs {
		all = append(all, b...)
	}
	sort.Ints(all)
	if len(bs) != 3 || len(bs[2]) != 2 || !equalInts(all, rowRange(0, 10)) {
		t.Errorf("batches %v", bs)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
