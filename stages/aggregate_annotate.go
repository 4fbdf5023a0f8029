package stages

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// runIndex gives the runs of each (dataset, method), sorted by seed.
type runIndex map[[2]string][]aggRun

// indexRuns groups runs by dataset and method, each group sorted by seed.
func indexRuns(runs []aggRun) runIndex {
	idx := runIndex{}
	for _, rv := range runs {
		k := [2]string{rv.dataset, rv.method}
		idx[k] = append(idx[k], rv)
	}
	for _, list := range idx {
		sort.Slice(list, func(i, j int) bool { return list[i].seed < list[j].seed })
	}
	return idx
}

// seedUnits returns, for every seed of a (dataset, method) whose split
// metric is a number, its per-unit values; ok is false when a seed lacks
// them (no units wired).
func (idx runIndex) seedUnits(dataset, method, split, metric string) (seeds []int, units [][]float64, ok bool) {
	for _, rv := range idx[[2]string{dataset, method}] {
		if v, has := rv.values[split][metric]; !has || math.IsNaN(v) {
			continue
		}
		u := rv.units[split][metric]
		if len(u) == 0 {
			return nil, nil, false
		}
		seeds, units = append(seeds, rv.seed), append(units, u)
	}
	return seeds, units, len(units) > 0
}

// annotateSummary adds to the summary rows what the per-seed and per-unit
// records give beyond mean ± std: the Monte-Carlo error of the mean over
// seeds (metrics with draws), the bootstrap interval of the test rows'
// task loss and return, and each DFL method's best epochs by seed.
func annotateSummary(rows []summaryRow, evals, stats []aggRun, bs bootstrap) {
	ev, st := indexRuns(evals), indexRuns(stats)
	for i := range rows {
		r := &rows[i]
		r.mcSE, r.ciLow, r.ciHigh = math.NaN(), math.NaN(), math.NaN()
		r.bestEpochs, r.startModel = bestEpochs(st[[2]string{trainedOn(ev, r.dataset, r.method), r.method}])
		if r.split == statsSplit && len(ev[[2]string{r.dataset, r.method}]) == 0 {
			continue
		}
		var se []float64
		for _, rv := range ev[[2]string{r.dataset, r.method}] {
			if v, has := rv.values[r.split][r.metric]; !has || math.IsNaN(v) {
				continue
			}
			if s, has := rv.mcSE[r.split][r.metric]; has {
				se = append(se, s)
			}
		}
		if len(se) == r.nSeeds {
			r.mcSE = seedMCError(se)
		}
		if r.split != "test" || !isMCMetric(r.metric) {
			continue
		}
		if _, units, ok := ev.seedUnits(r.dataset, r.method, r.split, r.metric); ok {
			r.ciLow, r.ciHigh = bs.interval(units, strings.Join([]string{r.dataset, r.method, r.split, r.metric}, "|"))
		}
	}
}

// trainedOn returns the dataset label a (dataset, method)'s models were
// trained on: the evaluations' model dataset when they name one.
func trainedOn(ev runIndex, dataset, method string) string {
	for _, rv := range ev[[2]string{dataset, method}] {
		return rv.trainedOn()
	}
	return dataset
}

// isMCMetric reports whether a metric has per-unit values and Monte-Carlo
// errors.
func isMCMetric(metric string) bool {
	for _, m := range mcMetrics() {
		if m == metric {
			return true
		}
	}
	return false
}

// bestEpochs lists the DFL runs' selected epochs in seed order ("0/0/3")
// and reports whether every seed kept its starting model (epoch 0: hold
// selection found no better epoch, so the row equals its starting model's).
func bestEpochs(stats []aggRun) (string, bool) {
	var parts []string
	start := len(stats) > 0
	for _, rv := range stats {
		e, ok := rv.values[statsSplit]["best_epoch"]
		if !ok || math.IsNaN(e) {
			return "", false
		}
		parts = append(parts, strconv.Itoa(int(e)))
		start = start && e == 0
	}
	return strings.Join(parts, "/"), start
}
