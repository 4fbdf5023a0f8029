package stages

import (
	"fmt"
	"math"
)

// table1Extra holds Table 1's columns beyond mean ± std: the bootstrap
// interval and Monte-Carlo error of the mean, the DFL runs' selected
// epochs, the paired difference from the best baseline, and the
// portfolio's risk figures (display strings and rounded numbers).
type table1Extra struct {
	ci, mc, epochs, vsBase, sharpeText, effText string
	ciLow, ciHigh, mcSE                         float64
	diff, diffLow, diffHigh, sharpe, effAssets  float64
}

// startModelMark marks the best epochs of a DFL row whose every seed kept
// its starting model.
const startModelMark = " †"

// addIntervals fills the extra columns of a Table 1 row from its summary
// row s and returns the notes they call for.
func (row *table1Row) addIntervals(sum summaryIndex, s summaryRow, digits int) []string {
	e := table1Extra{ci: noValue, mc: noValue, epochs: noValue, vsBase: noValue, sharpeText: noValue, effText: noValue,
		ciLow: math.NaN(), ciHigh: math.NaN(), mcSE: math.NaN(), diff: math.NaN(), diffLow: math.NaN(), diffHigh: math.NaN(),
		sharpe: math.NaN(), effAssets: math.NaN()}
	var notes []string
	if !math.IsNaN(s.ciLow) {
		e.ci = fmt.Sprintf("[%.*f, %.*f]", digits, s.ciLow, digits, s.ciHigh)
		e.ciLow, e.ciHigh = roundDecimals(s.ciLow, digits+2), roundDecimals(s.ciHigh, digits+2)
	}
	if !math.IsNaN(s.mcSE) {
		e.mc, e.mcSE = fmt.Sprintf("%.2g", s.mcSE), roundSignificant(s.mcSE, 4)
	}
	if s.bestEpochs != "" {
		e.epochs = s.bestEpochs
		if s.startModel {
			e.epochs += startModelMark
			notes = append(notes, "† every seed kept its starting model (best epoch 0): equals its two-stage row")
		}
	}
	if p, ok := sum.paired[[2]string{s.dataset, s.method}]; ok {
		e.vsBase = fmt.Sprintf("%+.*f [%+.*f, %+.*f] vs %s: %s", digits, p.diff, digits, p.ciLow, digits, p.ciHigh, p.baseline, p.verdict)
		e.diff, e.diffLow, e.diffHigh = roundDecimals(p.diff, digits+2), roundDecimals(p.ciLow, digits+2), roundDecimals(p.ciHigh, digits+2)
	} else if sum.isBestBaseline(s.dataset, s.method) {
		e.vsBase = "best baseline"
	}
	if r, ok := sum.get(s.dataset, s.method, s.split, ColSharpe); ok {
		e.sharpeText, e.sharpe = formatMeanStd(r.mean, r.std, 2), roundDecimals(r.mean, 4)
	}
	if r, ok := sum.get(s.dataset, s.method, s.split, ColEffAssets); ok {
		e.effText, e.effAssets = formatMeanStd(r.mean, r.std, 1), roundDecimals(r.mean, 3)
	}
	row.table1Extra = e
	return notes
}

// roundSignificant rounds v to the given significant digits (0 stays 0).
func roundSignificant(v float64, digits int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	return roundDecimals(v, digits-1-int(math.Floor(math.Log10(math.Abs(v)))))
}

// isBestBaseline reports whether a method is the baseline the dataset's
// paired comparisons were made against.
func (s summaryIndex) isBestBaseline(dataset, method string) bool {
	for k, p := range s.paired {
		if k[0] == dataset && p.baseline == method {
			return true
		}
	}
	return false
}

// extraColumn is one machine column of Table 1's extras.
type extraColumn struct {
	name  string
	value func(table1Row) float64
}

// extraColumns lists the machine columns of Table 1's extras in order.
func extraColumns() []extraColumn {
	return []extraColumn{
		{"ci_low", func(r table1Row) float64 { return r.ciLow }},
		{"ci_high", func(r table1Row) float64 { return r.ciHigh }},
		{"mc_se", func(r table1Row) float64 { return r.mcSE }},
		{"diff", func(r table1Row) float64 { return r.diff }},
		{"diff_low", func(r table1Row) float64 { return r.diffLow }},
		{"diff_high", func(r table1Row) float64 { return r.diffHigh }},
		{"sharpe", func(r table1Row) float64 { return r.sharpe }},
		{"eff_assets", func(r table1Row) float64 { return r.effAssets }},
	}
}
