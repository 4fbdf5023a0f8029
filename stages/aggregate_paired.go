package stages

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// pairedRow compares one DFL method with the best baseline of its dataset
// on the headline test metric, paired over the seeds both have and, within
// each seed, over the same test units (the same dataset artifact).
type pairedRow struct {
	task, dataset, method, baseline, metric string
	nSeeds                                  int
	diff, ciLow, ciHigh                     float64 // method − baseline, and its bootstrap interval
	verdict                                 string  // better, worse, or no clear difference (the interval holds 0)
}

// Verdicts of a paired comparison.
const (
	verdictBetter  = "better"
	verdictWorse   = "worse"
	verdictUnclear = "no clear difference"
)

// pairedComparisons compares every DFL method (Method.DFL) of each dataset
// with the dataset's best baseline (Method.Baseline; best by the summary's
// test mean: lowest task loss, highest return). The difference method −
// baseline is bootstrapped like the summary's intervals, on the per-unit
// differences of each common seed. It fails when the paired runs of one
// seed have different numbers of test units.
func pairedComparisons(rows []summaryRow, evals []aggRun, bs bootstrap) ([]pairedRow, error) {
	ev := indexRuns(evals)
	var out []pairedRow
	for _, dataset := range summaryDatasets(rows) {
		base, ok := bestBaseline(rows, dataset)
		if !ok {
			continue
		}
		for _, r := range rows {
			if m, known := LookupMethod(r.method); r.dataset != dataset || r.split != "test" || r.metric != base.metric || !known || !m.DFL {
				continue
			}
			p, ok, err := pairRuns(ev, r, base, bs)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// summaryDatasets returns the dataset labels of the rows, sorted.
func summaryDatasets(rows []summaryRow) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if !seen[r.dataset] {
			seen[r.dataset] = true
			out = append(out, r.dataset)
		}
	}
	sort.Strings(out)
	return out
}

// bestBaseline returns the summary row of the dataset's best baseline on
// its headline test metric.
func bestBaseline(rows []summaryRow, dataset string) (summaryRow, bool) {
	var best summaryRow
	found := false
	for _, r := range rows {
		m, known := LookupMethod(r.method)
		if r.dataset != dataset || r.split != "test" || !known || !m.Baseline {
			continue
		}
		if metric, _ := headlineMetric(r.task); r.metric != metric || math.IsNaN(r.mean) {
			continue
		}
		if !found || higherIsBetter(r.metric) == (r.mean > best.mean) && r.mean != best.mean {
			best, found = r, true
		}
	}
	return best, found
}

// higherIsBetter reports the direction of a headline metric.
func higherIsBetter(metric string) bool { return metric == ColReturnPct }

// pairRuns bootstraps the per-unit differences of one method and the
// baseline over their common seeds; ok is false without per-unit values.
func pairRuns(ev runIndex, r, base summaryRow, bs bootstrap) (pairedRow, bool, error) {
	seedsA, unitsA, okA := ev.seedUnits(r.dataset, r.method, "test", r.metric)
	seedsB, unitsB, okB := ev.seedUnits(base.dataset, base.method, "test", base.metric)
	if !okA || !okB {
		return pairedRow{}, false, nil
	}
	byB := map[int][]float64{}
	for i, s := range seedsB {
		byB[s] = unitsB[i]
	}
	var diffs [][]float64
	var total float64
	for i, s := range seedsA {
		b, ok := byB[s]
		if !ok {
			continue
		}
		a := unitsA[i]
		if len(a) != len(b) {
			return pairedRow{}, false, fmt.Errorf("%w: dataset %q seed %d: method %q has %d test units, baseline %q has %d; paired runs must share their test set",
				ErrInconsistentRuns, r.dataset, s, r.method, len(a), base.method, len(b))
		}
		d := make([]float64, len(a))
		for j := range a {
			d[j] = a[j] - b[j]
		}
		diffs = append(diffs, d)
		total += mean(d)
	}
	if len(diffs) == 0 {
		return pairedRow{}, false, nil
	}
	p := pairedRow{task: r.task, dataset: r.dataset, method: r.method, baseline: base.method, metric: r.metric,
		nSeeds: len(diffs), diff: total / float64(len(diffs))}
	p.ciLow, p.ciHigh = bs.interval(diffs, strings.Join([]string{"paired", r.dataset, r.method, base.method, r.metric}, "|"))
	p.verdict = pairedVerdict(p.ciLow, p.ciHigh, higherIsBetter(r.metric))
	return p, true, nil
}

// pairedVerdict reads an interval of method − baseline: better when it
// lies wholly on the improving side of 0, worse when wholly on the other.
func pairedVerdict(lo, hi float64, higher bool) string {
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi) || lo <= 0 && hi >= 0:
		return verdictUnclear
	case (lo > 0) == higher:
		return verdictBetter
	}
	return verdictWorse
}
