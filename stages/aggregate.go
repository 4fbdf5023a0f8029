package stages

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// aggregateKind averages the evaluation metrics and training stats of every
// seed into one summary table.
func aggregateKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "aggregate",
		Doc: "Mean ± sample std (ddof = 1; NaN for one seed) over seeds of every metrics record (evaluate, hindsight) " +
			"and stats record (DFL training): one row per (dataset, method, split, metric) with the seeds that went in; " +
			"stats rows have split \"train\". NaN values are left out, never averaged (their seeds are listed in nan_seeds). " +
			"Fails, naming the stages, on a (dataset, method, seed) seen twice, a dataset under two tasks, one dataset " +
			"evaluated with different M (point methods exempt), stats contradicting their method label, or records " +
			"without task, dataset, method and seed metadata. With the evaluations' per-unit records it adds a " +
			"hierarchical bootstrap interval to each test task loss and return (seeds resampled, then test units " +
			"within each seed; percentile interval, seeded, one stream per row), the Monte-Carlo error of each mean " +
			"(sqrt(Σ se²)/n over seeds), and compares every DFL method with its dataset's best baseline on the " +
			"headline test metric, paired over seeds and test units; it fails when a units record does not " +
			"reproduce its metrics record's mean, or a metrics record has none.",
		Params: []pipeline.ParamSpec{
			intParam("bootstrap", 2000, "bootstrap replicates B of the confidence intervals"),
			intParam("bootstrap_seed", 1, "seed of the bootstrap's random streams"),
			floatParam("ci_level", 0.95, "confidence level of the intervals"),
		},
		Inputs: []pipeline.PortSpec{
			{Name: "metrics", Many: true, Doc: "every evaluation's metrics (e.g. \"eval-*.metrics\", \"hindsight-*.metrics\")"},
			{Name: "stats", Many: true, Optional: true, Doc: "the DFL stages' training stats (e.g. \"dfl-*.stats\")"},
			{Name: "units", Many: true, Optional: true, Doc: "the evaluations' per-unit values (e.g. \"eval-*.units\", \"hindsight-*.units\"): all or none"},
		},
		Outputs: []pipeline.PortSpec{
			{Name: "summary", Doc: "columns task, dataset, method, split, metric, n_seeds, mean, std, seeds, nan_seeds, m, estimator, timesteps, k, steps_s, mc_se, ci_low, ci_high, best_epochs, start_model"},
			{Name: "per_seed", Doc: "long table: task, dataset, method, seed, split, metric, value, mc_se, best_epoch, m, draws, stage"},
			{Name: "paired", Doc: "each DFL method against its dataset's best baseline: task, dataset, method, baseline, metric, n_seeds, diff, ci_low, ci_high, verdict"},
		},
		Run: runAggregate,
	}
}

// runAggregate is the Run function of the aggregate kind.
func runAggregate(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	bs := bootstrap{replicates: p.Int("bootstrap"), seed: uint64(p.Int("bootstrap_seed")), level: p.Float("ci_level")}
	if bs.replicates < 2 || !(bs.level > 0 && bs.level < 1) {
		return nil, fmt.Errorf("%w: aggregate params bootstrap = %d (want ≥ 2) and ci_level = %g (want in (0, 1))", ErrParam, bs.replicates, bs.level)
	}
	evals, stats, err := readRuns(in.Tables)
	if err != nil {
		return nil, err
	}
	for _, check := range []func() error{
		func() error { return checkDuplicateRuns("metrics", evals) },
		func() error { return checkDuplicateRuns("stats", stats) },
		func() error { return checkTasks(append(append([]aggRun(nil), evals...), stats...)) },
		func() error { return checkSampleCounts(evals) },
		func() error { return checkStatsConfig(stats) },
		func() error { return readUnits(in.Tables, evals) },
	} {
		if err := check(); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows := summarizeRuns(evals, stats)
	annotateSummary(rows, evals, stats, bs)
	paired, err := pairedComparisons(rows, evals, bs)
	if err != nil {
		return nil, err
	}
	logSummary(rows, paired, bs.level, r)
	rec, err := summaryRecord(rows, bs.level)
	if err != nil {
		return nil, err
	}
	r.Logf("summary: %d rows from %d metrics and %d stats records; %d paired comparisons", len(rows), len(evals), len(stats), len(paired))
	return pipeline.Outputs{"summary": rec, "per_seed": perSeedRecord(perSeedRows(evals, stats)), "paired": pairedRecord(paired)}, nil
}

// logSummary logs the test headline rows, the NaN seeds left out and the
// paired comparisons; level is the intervals' confidence level.
func logSummary(rows []summaryRow, paired []pairedRow, level float64, r pipeline.Reporter) {
	for _, row := range rows {
		if row.split == "test" && (row.metric == "task_loss" || row.metric == "return_pct") {
			r.Logf("%s %s %s %s: %s over seeds %s, %s [%.4g, %.4g], MC error %.2g", row.dataset, row.method, row.split, row.metric,
				formatMeanStd(row.mean, row.std, 4), row.seeds, ciName(level), row.ciLow, row.ciHigh, row.mcSE)
		}
		if row.nanSeeds != "" {
			r.Logf("warning: %s %s %s %s is NaN for seeds %s; left out of the mean", row.dataset, row.method, row.split, row.metric, row.nanSeeds)
		}
	}
	for _, p := range paired {
		r.Logf("%s %s − %s (%s): %.4g [%.4g, %.4g] over %d seeds: %s", p.dataset, p.method, p.baseline, p.metric, p.diff, p.ciLow, p.ciHigh, p.nSeeds, p.verdict)
	}
}

// summaryRow is one row of the summary table.
type summaryRow struct {
	task, dataset, method, split, metric string
	nSeeds                               int
	mean, std                            float64
	seeds, nanSeeds                      string
	m                                    int64 // evaluation sample count; 0 for stats rows
	config                               aggConfig
	// mcSE is the Monte-Carlo error of mean (sqrt(Σ se_s²)/n over seeds);
	// ciLow and ciHigh bound its bootstrap interval (test task loss and
	// return); NaN where they do not apply.
	mcSE, ciLow, ciHigh float64
	// bestEpochs lists the DFL stage's selected epoch of each seed
	// ("0/0/3"); startModel is true when every seed kept epoch 0.
	bestEpochs string
	startModel bool
}

// groupKey identifies a summary group: one dataset, method and split.
type groupKey struct{ dataset, method, split string }

// seedValue is one seed's value of one metric.
type seedValue struct {
	seed int
	v    float64
}

// summaryGroup collects the seeds of one group.
type summaryGroup struct {
	task   string
	m      int64
	config aggConfig
	values map[string][]seedValue // metric → per-seed values
}

// summarizeRuns groups runs by (dataset, method, split) and averages every
// metric over seeds, in a fixed row order: groups sorted by dataset,
// method and split, metrics in the order of evalMetrics and statsMetrics.
func summarizeRuns(evals, stats []aggRun) []summaryRow {
	groups := map[groupKey]*summaryGroup{}
	add := func(rv aggRun) {
		for split, vals := range rv.values {
			k := groupKey{rv.dataset, rv.method, split}
			g := groups[k]
			if g == nil {
				g = &summaryGroup{task: rv.task, m: rv.m[split], config: rv.config, values: map[string][]seedValue{}}
				groups[k] = g
			}
			for name, v := range vals {
				g.values[name] = append(g.values[name], seedValue{rv.seed, v})
			}
		}
	}
	for _, rv := range evals {
		add(rv)
	}
	for _, rv := range stats {
		add(rv)
	}
	keys := make([]groupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.dataset != b.dataset {
			return a.dataset < b.dataset
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.split < b.split
	})
	required, optional := statsMetrics()
	order := append(append(evalMetrics(), required...), optional...)
	var rows []summaryRow
	for _, k := range keys {
		g := groups[k]
		for _, metric := range order {
			if row, ok := summarizeMetric(g.values[metric]); ok {
				row.task, row.dataset, row.method, row.split, row.metric = g.task, k.dataset, k.method, k.split, metric
				row.m, row.config = g.m, g.config
				rows = append(rows, row)
			}
		}
	}
	return rows
}

// summarizeMetric averages one metric over seeds, leaving NaN values out.
// It reports false when no seed has a value (the metric does not apply).
func summarizeMetric(vals []seedValue) (summaryRow, bool) {
	sort.Slice(vals, func(i, j int) bool { return vals[i].seed < vals[j].seed })
	var kept []float64
	var seeds, nanSeeds []string
	for _, sv := range vals {
		if math.IsNaN(sv.v) {
			nanSeeds = append(nanSeeds, strconv.Itoa(sv.seed))
			continue
		}
		kept = append(kept, sv.v)
		seeds = append(seeds, strconv.Itoa(sv.seed))
	}
	if len(kept) == 0 {
		return summaryRow{}, false
	}
	mean, std := seedMeanStd(kept)
	return summaryRow{nSeeds: len(kept), mean: mean, std: std,
		seeds: strings.Join(seeds, ","), nanSeeds: strings.Join(nanSeeds, ",")}, true
}

// seedMeanStd returns the mean and the sample standard deviation
// s = sqrt(Σ(x − x̄)²/(n − 1)) (ddof = 1, as the reference's tables use);
// s is NaN for a single value. Two passes, so the deviations are exact for
// values far from zero.
func seedMeanStd(x []float64) (float64, float64) {
	var sum float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	if len(x) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(x)-1))
}

// summaryRecord builds the summary table.
func summaryRecord(rows []summaryRow, level float64) (arrow.Record, error) {
	n := len(rows)
	str := func(f func(summaryRow) string) []string { return column(rows, f) }
	flt := func(f func(summaryRow) float64) []float64 { return column(rows, f) }
	nSeeds, m := make([]int64, n), make([]int64, n)
	mean, std := make([]float64, n), make([]float64, n)
	for i, r := range rows {
		nSeeds[i], m[i], mean[i], std[i] = int64(r.nSeeds), r.m, r.mean, r.std
	}
	return arrowtab.NewBuilder().
		String("task", str(func(r summaryRow) string { return r.task })).
		String("dataset", str(func(r summaryRow) string { return r.dataset })).
		String("method", str(func(r summaryRow) string { return r.method })).
		String("split", str(func(r summaryRow) string { return r.split })).
		String("metric", str(func(r summaryRow) string { return r.metric })).
		Int64("n_seeds", nSeeds).
		Float64("mean", mean).
		Float64("std", std).
		String("seeds", str(func(r summaryRow) string { return r.seeds })).
		String("nan_seeds", str(func(r summaryRow) string { return r.nanSeeds })).
		Int64("m", m).
		String("estimator", str(func(r summaryRow) string { return r.config.estimator })).
		String("timesteps", str(func(r summaryRow) string { return r.config.timesteps })).
		String("k", str(func(r summaryRow) string { return r.config.k })).
		String("steps_s", str(func(r summaryRow) string { return r.config.stepsS })).
		Float64("mc_se", flt(func(r summaryRow) float64 { return r.mcSE })).
		Float64("ci_low", flt(func(r summaryRow) float64 { return r.ciLow })).
		Float64("ci_high", flt(func(r summaryRow) float64 { return r.ciHigh })).
		String("best_epochs", str(func(r summaryRow) string { return r.bestEpochs })).
		String("start_model", str(func(r summaryRow) string { return strconv.FormatBool(r.startModel) })).
		Record(map[string]string{arrowtab.MetaKind: "summary", metaCILevel: strconv.FormatFloat(level, 'g', -1, 64)})
}
