package datasets

import "fmt"

// Feature windows of the reference (portfolio.md §1.2), in trading days.
var (
	pcLags       = []int{365, 120, 30, 7} // prev_year/qtr/month/week return
	priceWindows = []int{365, 120, 30, 7, 3}
)

const (
	returnWindow  = 7  // return_rolling_mean/var
	returnLags    = 10 // prev1..prev10_return
	stockAhead    = 10 // next1..next10_return must exist for a row to be kept
	stockLookback = 365
	// NumStockFeatures is the number of features per stock and date.
	NumStockFeatures = 28
)

// SP500FeatureNames returns the 28 per-stock feature names in the
// reference's order (portfolio.md §1.3).
func SP500FeatureNames() []string {
	names := []string{"cur_return"}
	for k := 1; k <= returnLags; k++ {
		names = append(names, fmt.Sprintf("prev%d_return", k))
	}
	names = append(names, "prev_year_return", "prev_qtr_return", "prev_month_returns", "prev_week_returns",
		"return_rolling_mean", "return_rolling_var")
	for _, w := range priceWindows {
		names = append(names, fmt.Sprintf("rolling_%d_mean", w), fmt.Sprintf("rolling_%d_var", w))
	}
	return append(names, "Close")
}

// stockRows returns the first row t0 and the number of rows of a series of T
// closes that have every feature and the next-10-day returns: t = 365 .. T−11
// (the reference drops rows with any NaN), 2898 rows for T = 3273.
func stockRows(T int) (t0, n int) {
	return stockLookback, T - stockAhead - stockLookback
}

// stockFeatures computes the 28 features (row-major, n × 28) and the target
// r_{t+1} of rows t = t0 .. t0+n−1 of one stock (portfolio.md §1.2), with
// r_t = P_t/P_{t−1} − 1, pc_k(t) = P_t/P_{t−k} − 1, rolling means and sample
// variances (ddof = 1) over the last w rows including t.
func stockFeatures(p []float64) (feat, target []float64) {
	t0, n := stockRows(len(p))
	if n <= 0 {
		return nil, nil
	}
	r := make([]float64, len(p))
	for t := 1; t < len(p); t++ {
		r[t] = p[t]/p[t-1] - 1
	}
	feat = make([]float64, n*NumStockFeatures)
	target = make([]float64, n)
	mean, variance := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		t := t0 + i
		row := feat[i*NumStockFeatures : (i+1)*NumStockFeatures]
		for k := 0; k <= returnLags; k++ {
			row[k] = r[t-k]
		}
		for j, k := range pcLags {
			row[returnLags+1+j] = p[t]/p[t-k] - 1
		}
		row[NumStockFeatures-1] = p[t]
		target[i] = r[t+1]
	}
	col := returnLags + 1 + len(pcLags)
	rollingMeanVar(r, returnWindow, t0, mean, variance)
	scatter(feat, col, mean, variance)
	for _, w := range priceWindows {
		col += 2
		rollingMeanVar(p, w, t0, mean, variance)
		scatter(feat, col, mean, variance)
	}
	return feat, target
}

// scatter writes mean and variance into columns col and col+1 of feat.
func scatter(feat []float64, col int, mean, variance []float64) {
	for i := range mean {
		feat[i*NumStockFeatures+col] = mean[i]
		feat[i*NumStockFeatures+col+1] = variance[i]
	}
}

// reanchorEvery is how often rollingMeanVar recomputes its window sums
// exactly; in between it slides them.
const reanchorEvery = 32

// rollingMeanVar sets mean[i] and variance[i] to the mean and sample
// variance of x[t−w+1 .. t] for t = t0+i. It slides the sums S1 = Σ(x−c) and
// S2 = Σ(x−c)² with a shift c equal to a recent window mean, so that
// S2 − S1²/w does not cancel catastrophically, and recomputes them exactly
// (two passes) every reanchorEvery rows so that rounding cannot accumulate:
// O(1 + w/32) per row instead of O(w). Variances are clamped at 0.
func rollingMeanVar(x []float64, w, t0 int, mean, variance []float64) {
	var c, s1, s2 float64
	fw := float64(w)
	for i := range mean {
		t := t0 + i
		if i%reanchorEvery == 0 {
			c = 0
			for _, v := range x[t-w+1 : t+1] {
				c += v
			}
			c /= fw
			s1, s2 = 0, 0
			for _, v := range x[t-w+1 : t+1] {
				d := v - c
				s1 += d
				s2 += d * d
			}
		} else {
			in, out := x[t]-c, x[t-w]-c
			s1 += in - out
			s2 += in*in - out*out
		}
		m := s1 / fw
		mean[i] = c + m
		variance[i] = max(0, (s2-s1*m)/(fw-1))
	}
}
