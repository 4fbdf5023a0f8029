package stages

import (
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// fakeEval describes a hand-made metrics record: test and hold rows.
type fakeEval struct {
	stage, task, dataset, method string
	seed                         int
	m                            int64
	test, hold                   float64 // task_loss (or return_pct on portfolio)
	rmse                         float64
	withUnits                    bool   // also build a units record (fakeUnitsRecord)
	modelDataset                 string // MetaModelDataset, when set
}

// fakeRunMeta is the metadata of a fake run's metrics or units record.
func fakeRunMeta(kind string, e fakeEval) map[string]string {
	md := map[string]string{arrowtab.MetaKind: kind, "task": e.task, "dataset": e.dataset, "method": e.method, "seed": fmt.Sprint(e.seed)}
	if e.modelDataset != "" {
		md[MetaModelDataset] = e.modelDataset
	}
	return md
}

// fakeMetricsRecord builds a metrics record following the contract of the
// evaluate kind: one row per split, NaN where a metric does not apply.
func fakeMetricsRecord(t testing.TB, e fakeEval) arrow.Record {
	t.Helper()
	nan := math.NaN()
	loss, ret := []float64{e.hold, e.test}, []float64{nan, nan}
	if e.task == "portfolio" {
		loss, ret = []float64{-e.hold / 100, -e.test / 100}, []float64{e.hold, e.test}
	}
	hourSum := []float64{nan, nan}
	if e.task == "power" {
		hourSum = []float64{24 * e.rmse, 24 * e.rmse}
	}
	rec, err := arrowtab.NewBuilder().
		String("split", []string{"hold", "test"}).
		Float64("task_loss", loss).
		Float64("return_pct", ret).
		Float64("rmse", []float64{e.rmse, e.rmse}).
		Float64("rmse_hour_sum", hourSum).
		Int64("n", []int64{100, 200}).
		Int64("m", []int64{e.m, e.m}).
		Record(fakeRunMeta("metrics", e))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// fakeStats describes a hand-made stats record.
type fakeStats struct {
	stage, task, dataset, method string
	seed                         int
	secPerStep, heap, est        float64
	estimator, timesteps, k, s   string
	epoch0                       bool // best_epoch 0 (the starting model kept) instead of 3 + seed
}

func fakeStatsRecord(t testing.TB, s fakeStats) arrow.Record {
	t.Helper()
	rec, err := arrowtab.NewBuilder().
		Float64("sec_per_step_mean", []float64{s.secPerStep}).
		Float64("sec_per_step_median", []float64{s.secPerStep * 0.9}).
		Float64("peak_heap_bytes", []float64{s.heap}).
		Float64("estimator_bytes", []float64{s.est}).
		Int64("steps", []int64{200}).
		Int64("best_epoch", []int64{bestEpochOf(s)}).
		Record(map[string]string{arrowtab.MetaKind: "stats", "task": s.task, "dataset": s.dataset,
			"method": s.method, "seed": fmt.Sprint(s.seed), "estimator": s.estimator, "timesteps": s.timesteps,
			"K": s.k, "steps_S": s.s})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// bestEpochOf is the best epoch a fake stats record reports.
func bestEpochOf(s fakeStats) int64 {
	if s.epoch0 {
		return 0
	}
	return int64(3 + s.seed)
}

// fakeUnitOffsets spread a fake run's four units around its mean.
var fakeUnitOffsets = []float64{-1.5, -0.5, 0.5, 1.5}

// fakeUnits returns four units with mean v: v + offset·|v|/100.
func fakeUnits(v float64) []float64 {
	out := make([]float64, len(fakeUnitOffsets))
	for i, o := range fakeUnitOffsets {
		out[i] = v + o*math.Abs(v)/100
	}
	return out
}

// fakeUnitsRecord builds the units record matching fakeMetricsRecord: four
// units per split whose means are the run's values.
func fakeUnitsRecord(t testing.TB, e fakeEval) arrow.Record {
	t.Helper()
	var splits []string
	var idx []int64
	var loss, ret []float64
	for _, sv := range []struct {
		split string
		v     float64
	}{{"hold", e.hold}, {"test", e.test}} {
		for i, u := range fakeUnits(sv.v) {
			splits, idx = append(splits, sv.split), append(idx, int64(i))
			if e.task == "portfolio" {
				loss, ret = append(loss, -u/100), append(ret, u)
			} else {
				loss, ret = append(loss, u), append(ret, math.NaN())
			}
		}
	}
	rec, err := arrowtab.NewBuilder().String("split", splits).Int64("unit", idx).
		Float64("task_loss", loss).Float64("return_pct", ret).
		Record(fakeRunMeta("units", e))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// aggregateInputs assembles the fan-in tables the runner would pass.
func aggregateInputs(t testing.TB, evals []fakeEval, stats []fakeStats) pipeline.Inputs {
	in := pipeline.Inputs{Tables: map[string]arrow.Record{}}
	for _, e := range evals {
		in.Tables["metrics/"+e.stage+".metrics"] = fakeMetricsRecord(t, e)
		if e.withUnits {
			in.Tables["units/"+e.stage+".units"] = fakeUnitsRecord(t, e)
		}
	}
	for _, s := range stats {
		in.Tables["stats/"+s.stage+".stats"] = fakeStatsRecord(t, s)
	}
	return in
}

func releaseInputs(in pipeline.Inputs) {
	for _, r := range in.Tables {
		r.Release()
	}
}
