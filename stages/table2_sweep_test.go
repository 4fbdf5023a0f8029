package stages

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// The step-cost table has one row per estimator and S; the reparameterized
// chain's memory grows with S while the score function's tape does not
// (its ELBO is evaluated at K timesteps whatever S), and the model is left
// as it came in (learning rate 0).
func TestStepCost(t *testing.T) {
	fx := newTinyDFL(t)
	in := map[string]arrow.Record{"data": fx.data, "model": fx.diffusion}
	params := map[string]any{"Ss": []any{2, 8}, "samples": 3, "batch": 16, "K": 2, "K_uniform": 2, "reps": 1, "seed": 2}
	out, rep := runKind(t, stepCostKind, params, in, "")
	rec := out["costs"]
	if rec.NumRows() != 6 {
		t.Fatalf("%d rows, want 3 estimators × 2 S; log %v", rec.NumRows(), rep.lines)
	}
	methods, _ := arrowtab.Strings(rec, "method")
	ss, _ := arrowtab.Int64s(rec, "S")
	ms, _ := arrowtab.Float64s(rec, ColMsPerStep)
	est, _ := arrowtab.Float64s(rec, ColEstimatorMiB)
	byKey := map[string]float64{}
	for i, m := range methods {
		if !(ms[i] > 0) {
			t.Errorf("%s S=%d: %g ms per step", m, ss[i], ms[i])
		}
		byKey[m+"/"+string(rune('0'+ss[i]))] = est[i]
	}
	if !(byKey["diffusion-rp/8"] > 2*byKey["diffusion-rp/2"]) {
		t.Errorf("RP memory %g MiB at S=8, %g at S=2: want it to grow with S", byKey["diffusion-rp/8"], byKey["diffusion-rp/2"])
	}
	if sf2, sf8 := byKey["diffusion-sf/2"], byKey["diffusion-sf/8"]; !(sf2 > 0) || sf8 > 1.5*sf2 {
		t.Errorf("SF tape %g MiB at S=2, %g at S=8: want positive and independent of S", sf2, sf8)
	}
	again, _ := runKind(t, stepCostKind, params, in, "")
	e2, _ := arrowtab.Float64s(again["costs"], ColEstimatorMiB)
	for i := range est {
		if est[i] != e2[i] {
			t.Errorf("row %d: estimator memory %g then %g: the model changed between runs?", i, est[i], e2[i])
		}
	}
	params["Ss"] = []any{0}
	if _, _, err := tryKind(stepCostKind, params, in, ""); err == nil || !strings.Contains(err.Error(), "Ss") {
		t.Errorf("S = 0: err %v, want a param error naming Ss", err)
	}
}

// fakeStepCost is a step-cost table of three estimators at S = 5, 10, 20.
func fakeStepCost(t *testing.T) arrow.Record {
	t.Helper()
	var methods []string
	var ss, ks []int64
	var ms, est, heap []float64
	for _, m := range []string{"diffusion-sf", "diffusion-sf-is", "diffusion-rp"} {
		for _, s := range []int64{5, 10, 20} {
			methods, ss, ks = append(methods, m), append(ss, s), append(ks, 10)
			ms, est, heap = append(ms, float64(s)*20), append(est, float64(s)), append(heap, float64(s)*2)
		}
	}
	rec, err := arrowtab.NewBuilder().String("method", methods).Int64("S", ss).Int64("K", ks).Float64(ColMsPerStep, ms).
		Float64(ColEstimatorMiB, est).Float64(ColHeapPeakMiB, heap).Record(map[string]string{arrowtab.MetaKind: KindStepCost})
	if err != nil {
		t.Fatal(err)
	}
	return roundTrip(t, rec)
}
