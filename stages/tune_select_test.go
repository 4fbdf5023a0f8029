package stages

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// tuneInputs builds the curve and model fan-ins of a sweep: one stage per
// run, named "<method>-<i>" or "<method>-<i>-s<seed>" (seed 0 without the
// suffix), with the given hold curve (epoch 0 first).
func tuneInputs(t *testing.T, runs map[string][]float64, lrs map[string]float64) map[string]arrow.Record {
	t.Helper()
	tables := map[string]arrow.Record{}
	for stage, hold := range runs {
		c := newCurve(ColTrainTaskLoss, ColHoldTaskLoss, ColRegLoss, ColSeconds)
		for e, h := range hold {
			c.add(e, math.NaN(), h, math.NaN(), 0)
		}
		name, seed, _ := strings.Cut(stage, "-s")
		if seed == "" {
			seed = "0"
		}
		method := name[:len(name)-2] // "<method>-<i>"
		meta := map[string]string{MetaTask: TaskPower, MetaDataset: TaskPower, MetaMethod: method, MetaSeed: seed}
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

// selectedRates runs tune-select and returns each method's selected rows
// as "lr L seed S mean M".
func selectedRates(t *testing.T, runs map[string][]float64, lrs map[string]float64) map[string][]string {
	t.Helper()
	out, _ := runKind(t, tuneSelectKind(), nil, tuneInputs(t, runs, lrs), "")
	rec := out["selection"]
	methods, _ := arrowtab.Strings(rec, "method")
	sel, _ := arrowtab.Strings(rec, "selected")
	lr, _ := arrowtab.Float64s(rec, "lr")
	seed, _ := arrowtab.Int64s(rec, "seed")
	mean, _ := arrowtab.Float64s(rec, "mean_hold_task_loss")
	got := map[string][]string{}
	for i := range methods {
		if sel[i] == "yes" {
			got[methods[i]] = append(got[methods[i]], fmt.Sprintf("lr %g seed %d mean %.4g", lr[i], seed[i], mean[i]))
		}
	}
	return got
}

// TestTuneSelectHoldOnly checks the selection on one seed: the lowest hold
// loss over epochs wins per method, ties (every rate keeping epoch 0) go to
// the smallest rate, and a curve without its model is an error.
func TestTuneSelectHoldOnly(t *testing.T) {
	runs := map[string][]float64{
		"sf-0": {5, 4.8, 4.9}, "sf-1": {5, 4.5, 4.6}, "sf-2": {5, 5.2, 6}, // lr 3e-5 wins at epoch 1
		"rp-0": {3, 3.1}, "rp-1": {3, 3.2}, // nothing beats epoch 0: smallest lr
	}
	lrs := map[string]float64{"sf-0": 1e-5, "sf-1": 3e-5, "sf-2": 1e-4, "rp-0": 3e-5, "rp-1": 1e-5}
	got := selectedRates(t, runs, lrs)
	want := map[string][]string{"sf": {"lr 3e-05 seed 0 mean 4.5"}, "rp": {"lr 1e-05 seed 0 mean 3"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("selected %v, want %v", got, want)
	}
	tables := tuneInputs(t, map[string][]float64{"sf-0": {1, 0.5}}, map[string]float64{"sf-0": 1e-5})
	delete(tables, "models/sf-0.model")
	if _, _, err := tryKind(tuneSelectKind(), nil, tables, ""); err == nil {
		t.Error("a curve without its model was accepted")
	}
}

// TestTuneSelectMeanOverSeeds: a rate wins by its mean best hold loss
// over the seeds, not by seed 0 alone; rates run on different seeds, or a
// seed run twice, are refused.
func TestTuneSelectMeanOverSeeds(t *testing.T) {
	runs := map[string][]float64{
		// seed 0 favours lr 1e-4 (2.0 < 2.1), the mean favours 3e-5 (2.2 < 2.5).
		"sf-1": {5, 2.1}, "sf-1-s1": {5, 2.3}, "sf-1-s2": {5, 2.2},
		"sf-2": {5, 2.0}, "sf-2-s1": {5, 3.0}, "sf-2-s2": {5, 2.5},
	}
	lrs := map[string]float64{"sf-1": 3e-5, "sf-1-s1": 3e-5, "sf-1-s2": 3e-5, "sf-2": 1e-4, "sf-2-s1": 1e-4, "sf-2-s2": 1e-4}
	got := selectedRates(t, runs, lrs)["sf"]
	want := []string{"lr 3e-05 seed 0 mean 2.2", "lr 3e-05 seed 1 mean 2.2", "lr 3e-05 seed 2 mean 2.2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("selected %v, want %v", got, want)
	}
	uneven := map[string][]float64{}
	for k, v := range runs {
		if k != "sf-2-s2" {
			uneven[k] = v
		}
	}
	if _, _, err := tryKind(tuneSelectKind(), nil, tuneInputs(t, uneven, lrs), ""); err == nil || !strings.Contains(err.Error(), "same seeds") {
		t.Errorf("rates on different seeds: err = %v, want a same-seeds error", err)
	}
	twice := map[string][]float64{"sf-1": {5, 2}, "sf-1-s0": {5, 2}}
	if _, _, err := tryKind(tuneSelectKind(), nil, tuneInputs(t, twice, map[string]float64{"sf-1": 1e-5, "sf-1-s0": 1e-5}), ""); err == nil || !strings.Contains(err.Error(), "ran twice") {
		t.Errorf("a seed run twice: err = %v, want a ran-twice error", err)
	}
}
