package stages

import (
	"math"
	"sort"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// perSeedRow is one row of the per-seed long table: one run's value of one
// metric on one split.
type perSeedRow struct {
	task, dataset, method, split, metric, stage string
	seed                                        int
	value, mcSE                                 float64
	bestEpoch, m, draws                         int64 // -1 where they do not apply
}

// perSeedRows lists every evaluation's metrics (NaN values, which do not
// apply to the task, are left out) and every DFL run's training stats
// (split "train"), sorted by dataset, method, split, metric and seed. Each
// row carries the run's selected epoch when a DFL stage trained it.
func perSeedRows(evals, stats []aggRun) []perSeedRow {
	type runKey struct {
		dataset, method string
		seed            int
	}
	best := map[runKey]int64{}
	for _, rv := range stats {
		if e, ok := rv.values[statsSplit]["best_epoch"]; ok && !math.IsNaN(e) {
			best[runKey{rv.dataset, rv.method, rv.seed}] = int64(e)
		}
	}
	var out []perSeedRow
	for _, rv := range append(append([]aggRun(nil), evals...), stats...) {
		be, ok := best[runKey{rv.trainedOn(), rv.method, rv.seed}]
		if !ok {
			be = -1
		}
		for split, vals := range rv.values {
			for metric, v := range vals {
				if math.IsNaN(v) {
					continue
				}
				row := perSeedRow{task: rv.task, dataset: rv.dataset, method: rv.method, split: split, metric: metric,
					stage: rv.stage, seed: rv.seed, value: v, mcSE: math.NaN(), bestEpoch: be, m: -1, draws: -1}
				if se, ok := rv.mcSE[split][metric]; ok {
					row.mcSE = se
				}
				if m, ok := rv.m[split]; ok {
					row.m = m
				}
				if d, ok := rv.draws[split]; ok {
					row.draws = d
				}
				out = append(out, row)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return perSeedLess(out[i], out[j]) })
	return out
}

// perSeedLess orders the per-seed table.
func perSeedLess(a, b perSeedRow) bool {
	for _, c := range [][2]string{{a.dataset, b.dataset}, {a.method, b.method}, {a.split, b.split}, {a.metric, b.metric}} {
		if c[0] != c[1] {
			return c[0] < c[1]
		}
	}
	return a.seed < b.seed
}

// perSeedRecord writes the per-seed table: task, dataset, method, seed,
// split, metric, value, mc_se, best_epoch, m, draws, stage (missing
// numbers are nulls).
func perSeedRecord(rows []perSeedRow) arrow.Record {
	n := len(rows)
	str := func(f func(perSeedRow) string) []string { return column(rows, f) }
	num := func(f func(perSeedRow) float64) []float64 { return column(rows, f) }
	count := func(f func(perSeedRow) int64) []int64 { return column(rows, f) }
	var t tableBuilder
	t.strings("task", str(func(r perSeedRow) string { return r.task }))
	t.strings("dataset", str(func(r perSeedRow) string { return r.dataset }))
	t.strings("method", str(func(r perSeedRow) string { return r.method }))
	t.ints("seed", count(func(r perSeedRow) int64 { return int64(r.seed) }))
	t.strings("split", str(func(r perSeedRow) string { return r.split }))
	t.strings("metric", str(func(r perSeedRow) string { return r.metric }))
	t.floats("value", num(func(r perSeedRow) float64 { return r.value }))
	t.floats("mc_se", num(func(r perSeedRow) float64 { return r.mcSE }))
	t.ints("best_epoch", count(func(r perSeedRow) int64 { return r.bestEpoch }))
	t.ints("m", count(func(r perSeedRow) int64 { return r.m }))
	t.ints("draws", count(func(r perSeedRow) int64 { return r.draws }))
	t.strings("stage", str(func(r perSeedRow) string { return r.stage }))
	return t.record(map[string]string{arrowtab.MetaKind: "per_seed", "rows": strconv.Itoa(n)})
}

// pairedRecord writes the paired comparisons: task, dataset, method,
// baseline, metric, n_seeds, diff, ci_low, ci_high, verdict.
func pairedRecord(rows []pairedRow) arrow.Record {
	n := len(rows)
	str := func(f func(pairedRow) string) []string { return column(rows, f) }
	num := func(f func(pairedRow) float64) []float64 { return column(rows, f) }
	seeds := make([]int64, n)
	for i, r := range rows {
		seeds[i] = int64(r.nSeeds)
	}
	var t tableBuilder
	t.strings("task", str(func(r pairedRow) string { return r.task }))
	t.strings("dataset", str(func(r pairedRow) string { return r.dataset }))
	t.strings("method", str(func(r pairedRow) string { return r.method }))
	t.strings("baseline", str(func(r pairedRow) string { return r.baseline }))
	t.strings("metric", str(func(r pairedRow) string { return r.metric }))
	t.ints("n_seeds", seeds)
	t.floats("diff", num(func(r pairedRow) float64 { return r.diff }))
	t.floats("ci_low", num(func(r pairedRow) float64 { return r.ciLow }))
	t.floats("ci_high", num(func(r pairedRow) float64 { return r.ciHigh }))
	t.strings("verdict", str(func(r pairedRow) string { return r.verdict }))
	return t.record(map[string]string{arrowtab.MetaKind: "paired"})
}
