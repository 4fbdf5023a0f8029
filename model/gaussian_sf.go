package model

import (
	"fmt"
	"math"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// GaussianSF configures the Gaussian predictor's score-function estimator:
// L_SF = Scale·Σ_j w_j·log p_θ(y_j | x_j), so Scale = 1/M gives
// dL/dθ ≈ (1/M)Σ_j w_j ∇_θ log p_θ(y_j | x_j) for M samples per context.
type GaussianSF struct {
	Scale float64
	// Legacy reproduces the reference (synthetic.md §6, portfolio.md §3.5):
	// the log-density without its 2π constant, clamped at 0 (samples with
	// log p > 0 get no gradient), and an extra factor 1/M.
	Legacy bool
}

// LogDensity returns log p_θ(y_i | x_i) = −½Σ_d(logvar_d + (y_d−μ_d)²e^{−logvar_d} + log 2π)
// for every row i of y; x holds one context per row of y, or one per
// context with row b·m + j of y ↔ row b of x.
func (g *Gaussian) LogDensity(x, y *nn.Matrix) []float64 {
	checkContexts("Gaussian log-density", x, y.Rows, x.Cols)
	mu, lv := g.Forward(x, nil)
	lp := make([]float64, y.Rows)
	for i := range lp {
		lp[i] = gaussLogp(y.Row(i), mu.Row(contextRow(i, y.Rows, x.Rows)), lv.Row(contextRow(i, y.Rows, x.Rows)), true)
	}
	return lp
}

func gaussLogp(y, mu, lv []float32, constant bool) float64 {
	var s float64
	for d := range y {
		r := float64(y[d]) - float64(mu[d])
		s -= 0.5 * (float64(lv[d]) + r*r*math.Exp(-float64(lv[d])))
		if constant {
			s -= 0.5 * math.Log(2*math.Pi)
		}
	}
	return s
}

// ScoreFunction adds ∇_θ L_SF (see GaussianSF) into the parameters' G for
// detached samples y with weights w, and returns L_SF. Contexts x as in
// LogDensity. With ∂log p/∂μ = (y−μ)e^{−logvar} and
// ∂log p/∂logvar = −½(1 − (y−μ)²e^{−logvar}).
func (g *Gaussian) ScoreFunction(x, y *nn.Matrix, w []float64, cfg GaussianSF) (float64, error) {
	if cfg.Scale == 0 || math.IsNaN(cfg.Scale) || math.IsInf(cfg.Scale, 0) {
		return 0, fmt.Errorf("%w: Gaussian score function Scale = %g, want finite and nonzero", ErrConfig, cfg.Scale)
	}
	checkContexts("Gaussian score function", x, y.Rows, x.Cols)
	if len(w) != y.Rows {
		panic(fmt.Sprintf("model: Gaussian score function: %d weights for %d samples", len(w), y.Rows))
	}
	for j, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%w: score-function weight w[%d] = %g", ErrNumeric, j, v)
		}
	}
	if !finite(y.Data) {
		return 0, fmt.Errorf("%w: Gaussian score function: a sample holds NaN or Inf", ErrNumeric)
	}
	scale := cfg.Scale
	if cfg.Legacy {
		scale /= float64(y.Rows / x.Rows)
	}
	tape := &nn.Tape{}
	mu, lv := g.Forward(x, tape)
	dMu, dLv := nn.NewMatrix(mu.Rows, mu.Cols), nn.NewMatrix(mu.Rows, mu.Cols)
	var sur float64
	for i := 0; i < y.Rows; i++ {
		b := contextRow(i, y.Rows, x.Rows)
		yr, mr, lr := y.Row(i), mu.Row(b), lv.Row(b)
		lp := gaussLogp(yr, mr, lr, !cfg.Legacy)
		if cfg.Legacy && lp > 0 {
			continue // min(log p, 0): value 0 and no gradient
		}
		sur += scale * w[i] * lp
		c := scale * w[i]
		dm, dl := dMu.Row(b), dLv.Row(b)
		for d := range yr {
			r := float64(yr[d]) - float64(mr[d])
			iv := math.Exp(-float64(lr[d]))
			dm[d] += float32(c * r * iv)
			dl[d] += float32(-c * 0.5 * (1 - r*r*iv))
		}
	}
	g.Backward(tape, dMu, dLv)
	return sur, nil
}
