package stages

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// paperTablesKind renders the summary as the paper's two tables.
func paperTablesKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "paper-tables",
		Doc: "The paper's tables beside ours, from the aggregate summary. table1: the test task loss (synthetic, power) " +
			"or daily return in % (portfolio) per dataset × method, mean ± std over seeds, the paper's number and a note " +
			"on how the reference's run differs; methods without results are left out. table2: the estimator ablation " +
			"on ablation_dataset (score function with K = 10 and 50, uniform and importance-sampled timesteps; " +
			"reparameterization): test loss, ms per step, estimator and Go-heap MiB, beside the paper's loss and GPU GB " +
			"(not comparable). String columns are for display, numeric columns (rounded) for machines. Table 1 also shows " +
			"the bootstrap interval (at the aggregate's ci_level) and Monte-Carlo error of each mean, the DFL runs' selected epochs by seed (marked " +
			"† where every seed kept its starting model, so the row repeats its starting model's), each DFL method's paired " +
			"difference from the best baseline (from the aggregate's paired output), and the portfolio's Sharpe ratio and " +
			"effective number of assets.",
		Params: []pipeline.ParamSpec{
			{Name: "ablation_dataset", Type: pipeline.String, Default: "power", Doc: "dataset label whose runs fill table2"},
			{Name: "metric_digits", Type: pipeline.Int, Default: 4, Doc: "decimal places of the mean ± std strings"},
		},
		Inputs: []pipeline.PortSpec{
			{Name: "summary", Doc: "the aggregate stage's summary"},
			{Name: "paired", Optional: true, Doc: "the aggregate stage's paired comparisons"},
		},
		Outputs: []pipeline.PortSpec{
			{Name: "table1", Doc: "main results: task, dataset, method, metric, ours, <ci_level>% CI (95% CI by default), MC error, seeds, best epochs, vs best baseline, Sharpe, eff. assets, paper, note; machine columns mean, std, ci_low, ci_high, mc_se, diff, diff_low, diff_high, sharpe, eff_assets, paper_mean, paper_std"},
			{Name: "table2", Doc: "estimator ablation: method, estimator, timesteps, K, S, test task loss, seeds, ms/step, MiB, paper figures, note"},
		},
		Run: runPaperTables,
	}
}

// runPaperTables is the Run function of the paper-tables kind.
func runPaperTables(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	rec, ok := in.Tables["summary"]
	if !ok {
		return nil, fmt.Errorf("%w: paper-tables needs its summary input", ErrAggregateInput)
	}
	sum, err := readSummary(rec)
	if err != nil {
		return nil, err
	}
	sum.ciLabel = ciName(summaryLevel(rec))
	if prec, ok := in.Tables["paired"]; ok {
		if sum.paired, err = readPaired(prec); err != nil {
			return nil, err
		}
	}
	digits := p.Int("metric_digits")
	if digits < 0 || digits > 12 {
		return nil, fmt.Errorf("%w: param metric_digits = %d, want 0..12", ErrAggregateInput, digits)
	}
	t1 := buildTable1(sum, digits)
	r.Logf("table1: %d rows", t1.NumRows())
	t2 := buildTable2(sum, p.String("ablation_dataset"), digits)
	r.Logf("table2: %d rows on dataset %q", t2.NumRows(), p.String("ablation_dataset"))
	if err := ctx.Err(); err != nil {
		t1.Release()
		t2.Release()
		return nil, err
	}
	return pipeline.Outputs{"table1": t1, "table2": t2}, nil
}

// summaryIndex gives the summary's rows by (dataset, method, split, metric).
type summaryIndex struct {
	rows map[[4]string]summaryRow
	// tasks maps each dataset label to its task.
	tasks map[string]string
	// paired holds the paired comparisons by (dataset, method).
	paired map[[2]string]pairedRow
	// ciLabel names Table 1's interval column ("95% CI").
	ciLabel string
}

// metaCILevel is the summary's metadata key holding the confidence level of
// its intervals (the aggregate's ci_level).
const metaCILevel = "ci_level"

// summaryLevel returns the confidence level a summary's intervals were
// computed at: its ci_level metadata, or 0.95 (the aggregate's default)
// for a summary written before that was recorded.
func summaryLevel(rec arrow.Record) float64 {
	md := rec.Schema().Metadata()
	if i := md.FindKey(metaCILevel); i >= 0 {
		if v, err := strconv.ParseFloat(md.Values()[i], 64); err == nil && v > 0 && v < 1 {
			return v
		}
	}
	return 0.95
}

// ciName labels an interval at confidence level: "95% CI", "97.5% CI".
func ciName(level float64) string {
	return strconv.FormatFloat(math.Round(level*1e4)/100, 'f', -1, 64) + "% CI"
}

func (s summaryIndex) get(dataset, method, split, metric string) (summaryRow, bool) {
	r, ok := s.rows[[4]string{dataset, method, split, metric}]
	return r, ok
}

// datasetOrder returns the dataset labels of the summary in table order:
// synthetic, synthetic-pooled, power, portfolio, portfolio-legacy,
// portfolio-risk-averse, then any other label alphabetically.
func datasetOrder(tasks map[string]string) []string {
	known := []string{"synthetic", "synthetic-pooled", "power", "portfolio", "portfolio-legacy", LabelPortfolioRiskAverse}
	var out, rest []string
	for _, d := range known {
		if _, ok := tasks[d]; ok {
			out = append(out, d)
		}
	}
	for d := range tasks {
		if !slices.Contains(known, d) {
			rest = append(rest, d)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// methodOrder returns the Table 1 methods: the catalogue's order without
// the ablation-only labels, then labels the catalogue does not know,
// alphabetically, so no run of the summary goes missing.
func methodOrder(sum summaryIndex) []string {
	var out []string
	for _, m := range Methods() {
		if !m.Ablation {
			out = append(out, m.Label)
		}
	}
	var rest []string
	seen := map[string]bool{}
	for k := range sum.rows {
		if _, known := LookupMethod(k[1]); !known && !seen[k[1]] {
			seen[k[1]] = true
			rest = append(rest, k[1])
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// headlineMetric is the Table 1 metric of a task: the realized daily
// return in % for the portfolio, the task loss otherwise.
func headlineMetric(task string) (metric, title string) {
	if task == "portfolio" {
		return "return_pct", "test daily return % ↑"
	}
	return "task_loss", "test task loss ↓"
}

// table1Row is one row of Table 1.
type table1Row struct {
	task, dataset, method, metric, ours, paper, note string
	seeds                                            int64
	mean, std, paperMean, paperStd                   float64
	table1Extra
}

// buildTable1 builds the main results table.
func buildTable1(sum summaryIndex, digits int) arrow.Record {
	var rows []table1Row
	for _, dataset := range datasetOrder(sum.tasks) {
		task := sum.tasks[dataset]
		metric, title := headlineMetric(task)
		for _, method := range methodOrder(sum) {
			s, ok := sum.get(dataset, method, "test", metric)
			if !ok {
				continue
			}
			row := table1Row{task: task, dataset: dataset, method: method, metric: title,
				ours: formatMeanStd(s.mean, s.std, digits), seeds: int64(s.nSeeds),
				mean: roundDecimals(s.mean, digits+2), std: roundDecimals(s.std, digits+2),
				paper: noValue, paperMean: math.NaN(), paperStd: math.NaN()}
			notes := row.addIntervals(sum, s, digits)
			if pr, ok := LookupPaper(task, method); ok && paperComparable(dataset) {
				if !math.IsNaN(pr.Mean) {
					row.paper = formatMeanStd(pr.Mean, pr.Std, pr.Digits)
					row.paperMean, row.paperStd = pr.Mean, pr.Std
					notes = append(notes, datasetNote(dataset, method)...)
				}
				if pr.Note != "" {
					notes = append(notes, pr.Note)
				}
			}
			notes = append(notes, referenceRowNote(method)...)
			if s.nanSeeds != "" {
				notes = append(notes, "NaN for seeds "+s.nanSeeds+", left out")
			}
			row.note = strings.Join(notes, "; ")
			rows = append(rows, row)
		}
	}
	return table1Record(rows, digits, sum.ciLabel)
}

// datasetNote returns what a reader must know to compare a dataset's row
// with the paper's number: the reference pools the synthetic decisions of a
// whole split into one (synthetic.md §8.2; not for its policy), and its
// portfolio numbers come from the leaky symbol-major layout (portfolio.md §1.4).
func datasetNote(dataset, method string) []string {
	switch {
	case dataset == "synthetic" && method != "policy":
		return []string{"reference pools decisions"}
	case dataset == "synthetic-pooled":
		return []string{"pooled decisions, as the reference"}
	case dataset == "portfolio":
		return []string{"paper ran the leaky layout"}
	case dataset == "portfolio-legacy":
		return []string{"leaky layout, as the reference"}
	}
	return nil
}

// referenceRowNote says what the hindsight reference rows are: the
// per-example optimum with the true y as the single sample (portfolio: the
// best single asset of each day), and the 1/n portfolio.
func referenceRowNote(method string) []string {
	switch method {
	case "oracle":
		return []string{"hindsight optimum with the true y"}
	case "equal-weight":
		return []string{"z = 1/n every day"}
	case MethodPopulationOptimum:
		return []string{"optimum of the true distribution per context (expected 0.4006 when y ⟂ x)"}
	case MethodTrueSAA:
		return []string{"decided from M samples of the true distribution"}
	}
	return nil
}

// table1Record writes the Table 1 rows as a record; ci names the interval
// column ("" for "95% CI").
func table1Record(rows []table1Row, digits int, ci string) arrow.Record {
	n := len(rows)
	col := func(f func(table1Row) string) []string { return column(rows, f) }
	num := func(f func(table1Row) float64) []float64 { return column(rows, f) }
	seeds := make([]int64, n)
	for i, r := range rows {
		seeds[i] = r.seeds
	}
	var t tableBuilder
	t.strings("task", col(func(r table1Row) string { return r.task }))
	t.strings("dataset", col(func(r table1Row) string { return r.dataset }))
	t.strings("method", col(func(r table1Row) string { return r.method }))
	t.strings("metric", col(func(r table1Row) string { return r.metric }))
	t.strings("ours", col(func(r table1Row) string { return r.ours }))
	if ci == "" {
		ci = ciName(0.95)
	}
	t.strings(ci, col(func(r table1Row) string { return r.ci }))
	t.strings("MC error", col(func(r table1Row) string { return r.mc }))
	t.ints("seeds", seeds)
	t.strings("best epochs", col(func(r table1Row) string { return r.epochs }))
	t.strings("vs best baseline", col(func(r table1Row) string { return r.vsBase }))
	t.strings("Sharpe", col(func(r table1Row) string { return r.sharpeText }))
	t.strings("eff. assets", col(func(r table1Row) string { return r.effText }))
	t.strings("paper", col(func(r table1Row) string { return r.paper }))
	t.strings("note", col(func(r table1Row) string { return r.note }))
	t.floats("mean", num(func(r table1Row) float64 { return r.mean }))
	t.floats("std", num(func(r table1Row) float64 { return r.std }))
	for _, c := range extraColumns() {
		t.floats(c.name, num(c.value))
	}
	t.floats("paper_mean", num(func(r table1Row) float64 { return r.paperMean }))
	t.floats("paper_std", num(func(r table1Row) float64 { return r.paperStd }))
	return t.record(tableMeta("table1", digits))
}
