package stages

import (
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// tuneInputs builds the curve and model fan-ins of a sweep: one stage per
// (method, lr) with the given hold curve (epoch 0 first).
func tuneInputs(t *testing.T, runs map[string][]float64, lrs map[string]float64) map[string]arrow.Record {
	t.Helper()
	tables := map[string]arrow.Record{}
	for stage, hold := range runs {
		c := newCurve(ColTrainTaskLoss, ColHoldTaskLoss, ColRegLoss, ColSeconds)
		for e, h := range hold {
			c.add(e, math.NaN(), h, math.NaN(), 0)
		}
		method := stage[:len(stage)-2] // "<method>-<i>"
		meta := map[string]string{MetaTask: TaskPower, MetaDataset: TaskPower, MetaMethod: method, MetaSeed: "0"}
		rec, err := c.record(meta)
		if err != nil {
			t.Fatal(err)
		}
		tables["curves/"+stage+".curve"] = rec
		meta[MetaTrainedBy] = fmt.Sprintf(`{"kind":"dfl-diffusion","params":{"lr":%g}}`, lrs[stage])
		meta[arrowtab.MetaKind] = "model"
		model, err := arrowtab.NewBuilder().Float64("w", []float64{1}).Record(meta)
		if err != nil {
			t.Fatal(err)
		}
		tables["models/"+stage+".model"] = model
	}
	return tables
}

// TestTuneSelectHoldOnly checks the selection: the lowest hold loss over
// epochs wins per method, ties (every rate keeping epoch 0) go to the
// smallest rate, and a curve without its model is an error.
func TestTuneSelectHoldOnly(t *testing.T) {
	runs := map[string][]float64{
		"sf-0": {5, 4.8, 4.9}, "sf-1": {5, 4.5, 4.6}, "sf-2": {5, 5.2, 6}, // lr 3e-5 wins at epoch 1
		"rp-0": {3, 3.1}, "rp-1": {3, 3.2}, // nothing beats epoch 0: smallest lr
	}
	lrs := map[string]float64{"sf-0": 1e-5, "sf-1": 3e-5, "sf-2": 1e-4, "rp-0": 3e-5, "rp-1": 1e-5}
	out, _ := runKind(t, tuneSelectKind(), nil, tuneInputs(t, runs, lrs), "")
	rec := out["selection"]
	methods, _ := arrowtab.Strings(rec, "method")
	sel, _ := arrowtab.Strings(rec, "selected")
	improved, _ := arrowtab.Strings(rec, "improved")
	lr, _ := arrowtab.Float64s(rec, "lr")
	best, _ := arrowtab.Int64s(rec, "best_epoch")
	got := map[string]string{}
	for i := range methods {
		if sel[i] == "yes" {
			got[methods[i]] = fmt.Sprintf("lr %g epoch %d improved %s", lr[i], best[i], improved[i])
		}
	}
	want := map[string]string{"sf": "lr 3e-05 epoch 1 improved yes", "rp": "lr 1e-05 epoch 0 improved no"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("selected %v, want %v", got, want)
	}
	tables := tuneInputs(t, map[string][]float64{"sf-0": {1, 0.5}}, map[string]float64{"sf-0": 1e-5})
	delete(tables, "models/sf-0.model")
	if _, _, err := tryKind(tuneSelectKind(), nil, tables, ""); err == nil {
		t.Error("a curve without its model was accepted")
	}
}
