package stages

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// tradingDays annualizes daily Sharpe ratios: √252 · mean/sd of daily
// returns, the usual convention for US equities (no risk-free rate is
// subtracted: the returns are the portfolio's raw daily returns).
const tradingDays = 252

// dailyReturnsPct returns 100·y_iᵀz_i for every row i of y (z holds one
// decision per row, or a single one for all rows).
func dailyReturnsPct(y *mat.Dense, z [][]float64) []float64 {
	rows, _ := y.Dims()
	out := make([]float64, rows)
	for i := range out {
		zi := z[min(i, len(z)-1)]
		var s float64
		for j, v := range y.RawRowView(i) {
			s += v * zi[j]
		}
		out[i] = 100 * s
	}
	return out
}

// annualizedSharpe is √252 · mean(r)/sd(r) of daily returns r (sample sd,
// ddof = 1); NaN for fewer than two days or constant returns.
func annualizedSharpe(r []float64) float64 {
	mu, sd := seedMeanStd(r)
	if len(r) < 2 || sd == 0 {
		return math.NaN()
	}
	return math.Sqrt(tradingDays) * mu / sd
}

// effectiveAssets is the effective number of assets 1/Σ_j z_j² (the inverse
// Herfindahl index of the weights; 1 for a single asset, n for 1/n)
// averaged over the rows' decisions; z holds one decision per row, or one
// for all rows.
func effectiveAssets(z [][]float64, rows int) float64 {
	if rows == 0 {
		return math.NaN()
	}
	var s float64
	for i := 0; i < rows; i++ {
		var hhi float64
		for _, w := range z[min(i, len(z)-1)] {
			hhi += w * w
		}
		s += 1 / hhi
	}
	return s / float64(rows)
}
