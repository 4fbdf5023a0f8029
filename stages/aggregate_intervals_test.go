package stages

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// TestBootstrapReproducible: the same key and seed give the same interval
// bit for bit; another key or seed gives another one.
func TestBootstrapReproducible(t *testing.T) {
	units := [][]float64{{1, 2, 3, 4, 5}, {2, 2, 3, 9}}
	bs := bootstrap{replicates: 500, seed: 1, level: 0.95}
	lo1, hi1 := bs.interval(units, "a")
	lo2, hi2 := bs.interval(units, "a")
	if lo1 != lo2 || hi1 != hi2 {
		t.Errorf("same key: [%g, %g] then [%g, %g]", lo1, hi1, lo2, hi2)
	}
	lo3, hi3 := bs.interval(units, "b")
	bs.seed = 2
	lo4, hi4 := bs.interval(units, "a")
	if lo3 == lo1 && hi3 == hi1 || lo4 == lo1 && hi4 == hi1 {
		t.Errorf("other key [%g, %g] or seed [%g, %g] reproduced [%g, %g]", lo3, hi3, lo4, hi4, lo1, hi1)
	}
	if lo, hi := bs.interval([][]float64{{3, 3, 3}}, "c"); lo != 3 || hi != 3 {
		t.Errorf("constant units: [%g, %g], want [3, 3]", lo, hi)
	}
	if lo, _ := bs.interval(nil, "d"); !math.IsNaN(lo) {
		t.Errorf("no units: %g, want NaN", lo)
	}
}

// TestBootstrapCoverage simulates one seed of 60 normal units 300 times: the
// 95 % interval must hold the true mean in roughly 95 % of them (binomial
// sd 1.3 %; the percentile bootstrap undercovers slightly at n = 60).
func TestBootstrapCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	bs := bootstrap{replicates: 400, seed: 9, level: 0.95}
	const sims, n = 300, 60
	hits := 0
	for s := 0; s < sims; s++ {
		u := make([]float64, n)
		for i := range u {
			u[i] = 2 + rng.NormFloat64()
		}
		if lo, hi := bs.interval([][]float64{u}, "sim"+string(rune('a'+s%26))+string(rune('a'+s/26))); lo <= 2 && 2 <= hi {
			hits++
		}
	}
	if cover := float64(hits) / sims; cover < 0.89 || cover > 0.99 {
		t.Errorf("coverage %.3f, want about 0.95", cover)
	}
}

// TestQuantileSorted checks type-7 quantiles by hand.
func TestQuantileSorted(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.1, 1.4}, {1, 5}, {0.975, 4.9}} {
		if got := quantileSorted(x, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("q %g: %g, want %g", c.q, got, c.want)
		}
	}
}

// TestSeedMCError: errors 0.3 and 0.4 of two seeds give sqrt(0.09 +
// 0.16)/2 = 0.25 for their mean.
func TestSeedMCError(t *testing.T) {
	if got := seedMCError([]float64{0.3, 0.4}); math.Abs(got-0.25) > 1e-15 {
		t.Errorf("got %g, want 0.25", got)
	}
	if !math.IsNaN(seedMCError([]float64{0.1, math.NaN()})) {
		t.Error("a NaN error must make the mean's error NaN")
	}
}

// TestPairedVerdict: the sign convention of the paired comparison.
func TestPairedVerdict(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		higher bool
		want   string
	}{
		{-2, -1, false, verdictBetter}, {1, 2, false, verdictWorse}, {-1, 1, false, verdictUnclear},
		{1, 2, true, verdictBetter}, {-2, -1, true, verdictWorse}, {0, 1, true, verdictUnclear},
	} {
		if got := pairedVerdict(c.lo, c.hi, c.higher); got != c.want {
			t.Errorf("[%g, %g] higher-is-better %v: %s, want %s", c.lo, c.hi, c.higher, got, c.want)
		}
	}
}

// TestAggregatePairedAndPerSeed runs the aggregate kind on two seeds of a
// DFL method, two baselines and a reference, with units and stats: the
// paired difference is mean(method) − mean(best baseline) over common
// seeds with the right sign; the per-seed table has one row per run, split
// and metric with the run's best epoch.
func TestAggregatePairedAndPerSeed(t *testing.T) {
	var evals []fakeEval
	for seed, v := range map[int][3]float64{0: {3.0, 3.5, 4.0}, 1: {3.2, 3.3, 4.1}} {
		for i, method := range []string{"diffusion-rp", "two-stage-diffusion", "two-stage-gaussian"} {
			e := fakePowerEval("eval-"+method+"-s"+string(rune('0'+seed)), method, seed, 16, v[i])
			e.withUnits = true
			evals = append(evals, e)
		}
	}
	stats := []fakeStats{
		{stage: "dfl-rp-s0", task: "power", dataset: "power", method: "diffusion-rp", seed: 0, estimator: "rp", epoch0: true},
		{stage: "dfl-rp-s1", task: "power", dataset: "power", method: "diffusion-rp", seed: 1, estimator: "rp"},
	}
	in := aggregateInputs(t, evals, stats)
	defer releaseInputs(in)
	out, err := runAggregate(context.Background(), in, defaultAggregateParams(t), &tablesLog{})
	if err != nil {
		t.Fatal(err)
	}
	paired, err := readPaired(out["paired"])
	if err != nil {
		t.Fatal(err)
	}
	p, ok := paired[[2]string{"power", "diffusion-rp"}]
	// two-stage-diffusion (mean 3.4) beats two-stage-gaussian (4.05);
	// diffusion-rp's mean 3.1 is 0.3 lower.
	if !ok || p.baseline != "two-stage-diffusion" || math.Abs(p.diff+0.3) > 1e-12 || p.nSeeds != 2 || !(p.ciHigh < 0) || p.verdict != verdictBetter {
		t.Errorf("paired %+v", p)
	}
	if len(paired) != 1 {
		t.Errorf("%d paired rows, want 1 (baselines and references are not compared)", len(paired))
	}
	ps := out["per_seed"]
	methods, _ := arrowtab.Strings(ps, "method")
	metrics, _ := arrowtab.Strings(ps, "metric")
	splits, _ := arrowtab.Strings(ps, "split")
	best, _ := nullableFloats(ps, "best_epoch")
	seeds, _ := nullableFloats(ps, "seed")
	value, _ := nullableFloats(ps, "value")
	var found int
	for i := range methods {
		if methods[i] == "diffusion-rp" && splits[i] == "test" && metrics[i] == "task_loss" {
			found++
			want := map[float64][2]float64{0: {3.0, 0}, 1: {3.2, 4}}[seeds[i]]
			if value[i] != want[0] || best[i] != want[1] {
				t.Errorf("seed %g: value %g best epoch %g, want %v", seeds[i], value[i], best[i], want)
			}
		}
		if methods[i] == "two-stage-diffusion" && !math.IsNaN(best[i]) {
			t.Errorf("a two-stage run has best epoch %g", best[i])
		}
	}
	if found != 2 {
		t.Errorf("%d per-seed test task-loss rows of diffusion-rp, want 2", found)
	}
	// 6 runs × 2 splits × 2 metrics (task_loss, rmse, rmse_hour_sum: 3) + stats.
	if n := ps.NumRows(); n < 6*2*3 {
		t.Errorf("per-seed table has %d rows", n)
	}
}

// TestAggregateModelDataset: an evaluation under another dataset label
// than its model's training (MetaModelDataset) finds that DFL run's best
// epochs.
func TestAggregateModelDataset(t *testing.T) {
	e := fakePowerEval("eval-rp-m512-s0", "diffusion-rp", 0, 512, 3)
	e.dataset, e.modelDataset, e.withUnits = "power-m512", "power", true
	stats := []fakeStats{{stage: "dfl-rp-s0", task: "power", dataset: "power", method: "diffusion-rp", seed: 0, estimator: "rp", epoch0: true}}
	in := aggregateInputs(t, []fakeEval{e}, stats)
	defer releaseInputs(in)
	out, err := runAggregate(context.Background(), in, defaultAggregateParams(t), &tablesLog{})
	if err != nil {
		t.Fatal(err)
	}
	rows := summaryRows(t, out["summary"])
	if r := rows["power-m512/diffusion-rp/test/task_loss"]; r.bestEpochs != "0" || !r.startModel {
		t.Errorf("best epochs %q, start model %v; want \"0\", true", r.bestEpochs, r.startModel)
	}
	best, _ := nullableFloats(out["per_seed"], "best_epoch")
	if best[0] != 0 {
		t.Errorf("per-seed best epoch %g, want 0", best[0])
	}
}

// TestAggregateUnitsLoud: a units record whose mean does not reproduce its
// metrics record, or a metrics record without units, fails naming stages.
func TestAggregateUnitsLoud(t *testing.T) {
	a := fakePowerEval("eval-a", "diffusion-rp", 0, 16, 3)
	b := fakePowerEval("eval-b", "two-stage-mlp", 0, 1, 4)
	a.withUnits, b.withUnits = true, true
	for name, mutate := range map[string]func(in map[string]arrow.Record){
		"wrong mean": func(in map[string]arrow.Record) {
			in["units/eval-a.units"] = fakeUnitsRecord(t, fakePowerEval("eval-a", "diffusion-rp", 0, 16, 3.5))
		},
		"missing units": func(in map[string]arrow.Record) { delete(in, "units/eval-b.units") },
	} {
		in := aggregateInputs(t, []fakeEval{a, b}, nil)
		mutate(in.Tables)
		_, err := runAggregate(context.Background(), in, defaultAggregateParams(t), &tablesLog{})
		if !errors.Is(err, ErrInconsistentRuns) || !strings.Contains(err.Error(), "eval-") {
			t.Errorf("%s: %v", name, err)
		}
		releaseInputs(in)
	}
}

// BenchmarkBootstrapInterval times one interval of the default profile's
// shape: 3 seeds of 600 test units (the portfolio's 581 days), B = 2000.
func BenchmarkBootstrapInterval(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	units := make([][]float64, 3)
	for s := range units {
		units[s] = make([]float64, 600)
		for i := range units[s] {
			units[s][i] = rng.NormFloat64()
		}
	}
	bs := bootstrap{replicates: 2000, seed: 1, level: 0.95}
	for i := 0; i < b.N; i++ {
		bs.interval(units, "bench")
	}
}
