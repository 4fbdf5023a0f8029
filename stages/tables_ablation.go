package stages

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// table2Row is one row of the estimator ablation (Table 2).
type table2Row struct {
	method, estimator, timesteps, loss, paperLoss, note string
	k, s, seeds                                         int64 // -1 = unknown
	msPerStep, estimatorMiB, heapMiB, paperGPUGB        float64
	lossMean, lossStd                                   float64
}

// bytesPerMiB is the number of bytes in a MiB.
const bytesPerMiB = 1 << 20

// buildTable2 builds the estimator ablation on one dataset: the rows of
// AblationMethods that have a test task loss or training stats.
func buildTable2(sum summaryIndex, dataset string, digits int) arrow.Record {
	var rows []table2Row
	for _, label := range AblationMethods() {
		loss, hasLoss := sum.get(dataset, label, "test", "task_loss")
		step, hasStats := sum.get(dataset, label, statsSplit, "sec_per_step_mean")
		if !hasLoss && !hasStats {
			continue
		}
		m, _ := LookupMethod(label)
		row := table2Row{method: label, estimator: estimatorName(m.Estimator), timesteps: m.Timesteps,
			loss: noValue, paperLoss: noValue, k: -1, s: -1, seeds: -1,
			msPerStep: math.NaN(), estimatorMiB: math.NaN(), heapMiB: math.NaN(), paperGPUGB: math.NaN(),
			lossMean: math.NaN(), lossStd: math.NaN()}
		if m.Estimator == "rp" {
			row.timesteps = noValue
		}
		if hasLoss {
			row.loss, row.seeds = formatMeanStd(loss.mean, loss.std, digits), int64(loss.nSeeds)
			row.lossMean, row.lossStd = roundDecimals(loss.mean, digits+2), roundDecimals(loss.std, digits+2)
		}
		if hasStats {
			if m.Estimator == "sf" {
				row.k = parseCount(step.config.k)
			}
			row.s = parseCount(step.config.stepsS)
			row.msPerStep = roundDecimals(1000*step.mean, 1)
			row.estimatorMiB = statsMiB(sum, dataset, label, "estimator_bytes")
			row.heapMiB = statsMiB(sum, dataset, label, "peak_heap_bytes")
		}
		var notes []string
		// The paper's ablation was run on power only (power.md §0).
		if pa, ok := LookupPaperAblation(label); ok && sum.tasks[dataset] == "power" {
			row.paperLoss = formatMeanStd(pa.Loss, pa.Std, pa.Digits)
			row.paperGPUGB = pa.GPUGB
			if pa.Note != "" {
				notes = append(notes, pa.Note)
			}
		}
		if hasLoss && loss.nanSeeds != "" {
			notes = append(notes, "NaN for seeds "+loss.nanSeeds+", left out")
		}
		row.note = strings.Join(notes, "; ")
		rows = append(rows, row)
	}
	return table2Record(rows, digits)
}

// estimatorName spells out an estimator code for the table.
func estimatorName(code string) string {
	switch code {
	case "sf":
		return "score function"
	case "rp":
		return "reparameterization"
	}
	return code
}

// parseCount reads a count from stats metadata, -1 when absent or invalid.
func parseCount(s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return -1
	}
	return v
}

// statsMiB is the mean over seeds of a byte count in MiB (one decimal),
// NaN when the summary lacks it.
func statsMiB(sum summaryIndex, dataset, method, metric string) float64 {
	s, ok := sum.get(dataset, method, statsSplit, metric)
	if !ok {
		return math.NaN()
	}
	return roundDecimals(s.mean/bytesPerMiB, 1)
}

// table2Record writes the Table 2 rows as a record.
func table2Record(rows []table2Row, digits int) arrow.Record {
	col := func(f func(table2Row) string) []string { return column(rows, f) }
	num := func(f func(table2Row) float64) []float64 { return column(rows, f) }
	count := func(f func(table2Row) int64) []int64 { return column(rows, f) }
	var t tableBuilder
	t.strings("method", col(func(r table2Row) string { return r.method }))
	t.strings("estimator", col(func(r table2Row) string { return r.estimator }))
	t.strings("timesteps", col(func(r table2Row) string { return r.timesteps }))
	t.ints("K", count(func(r table2Row) int64 { return r.k }))
	t.ints("S", count(func(r table2Row) int64 { return r.s }))
	t.strings("test task loss", col(func(r table2Row) string { return r.loss }))
	t.ints("seeds", count(func(r table2Row) int64 { return r.seeds }))
	t.floats("ms/step", num(func(r table2Row) float64 { return r.msPerStep }))
	t.floats("estimator MiB", num(func(r table2Row) float64 { return r.estimatorMiB }))
	t.floats("heap peak MiB", num(func(r table2Row) float64 { return r.heapMiB }))
	t.strings("paper test loss", col(func(r table2Row) string { return r.paperLoss }))
	t.floats("paper GPU GB (not comparable)", num(func(r table2Row) float64 { return r.paperGPUGB }))
	t.strings("note", col(func(r table2Row) string { return r.note }))
	t.floats("loss_mean", num(func(r table2Row) float64 { return r.lossMean }))
	t.floats("loss_std", num(func(r table2Row) float64 { return r.lossStd }))
	return t.record(tableMeta("table2", digits))
}
