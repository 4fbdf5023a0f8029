package solver

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// weightedSAA is (1/M) Σ_j ω_j f(y_j, z), an Objective for SolveConvex.
type weightedSAA struct {
	p     Problem
	y     *mat.Dense
	omega []float64
}

func (o *weightedSAA) Dim() int { return o.p.Dim() }
func (o *weightedSAA) Value(z []float64) float64 {
	var acc float64
	for j, w := range o.omega {
		acc += w * o.p.Cost(o.y.RawRowView(j), z)
	}
	return acc / float64(len(o.omega))
}
func (o *weightedSAA) Grad(dst, z []float64) {
	g := make([]float64, len(dst))
	clear(dst)
	for j, w := range o.omega {
		o.p.Grad(g, o.y.RawRowView(j), z)
		for i, v := range g {
			dst[i] += w * v / float64(len(o.omega))
		}
	}
}
func (o *weightedSAA) Hess(dst *mat.SymDense, z []float64) {
	n := o.p.Dim()
	h := mat.NewSymDense(n, nil)
	dst.Zero()
	for j, w := range o.omega {
		o.p.Hess(h, o.y.RawRowView(j), z)
		dst.AddSym(dst, scaledSym(h, w/float64(len(o.omega))))
	}
}

func scaledSym(s *mat.SymDense, f float64) *mat.SymDense {
	var out mat.SymDense
	out.ScaleSym(f, s)
	return &out
}

// TestWeightsAreSampleWeightDerivatives checks the score-function weights
// through their meaning: reweighting sample j by (1 + ε) moves aᵀz* by
// ε·w_j/M to first order.
func TestWeightsAreSampleWeightDerivatives(t *testing.T) {
	yAlloc := loadLikeAllocation(61, 6)
	yPort, _ := returnSamples(62, 6, 8, 0.5)
	for _, tc := range []struct {
		name string
		p    Problem
		y    *mat.Dense
	}{
		{"allocation", NewAllocation(), yAlloc},
		{"portfolio", Portfolio{N: 8, Alpha: 1}, yPort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, n := tc.y.Dims()
			a := randomVector(7, n)
			sol, err := Solve(context.Background(), tc.p, tc.y, nil)
			if err != nil {
				t.Fatal(err)
			}
			sens, err := Differentiate(tc.p, tc.y, sol, a, &DiffOptions{Want: WantWeights})
			if err != nil {
				t.Fatal(err)
			}
			const eps = 1e-6
			for j := 0; j < m; j++ {
				val := func(e float64) float64 {
					omega := filled(m, 1)
					omega[j] += e
					s, err := SolveConvex(context.Background(), &weightedSAA{tc.p, tc.y, omega}, tc.p.Constraints(), sol.Z, nil)
					if err != nil {
						t.Fatal(err)
					}
					return dot(a, s.Z)
				}
				fd := (val(eps) - val(-eps)) / (2 * eps)
				if got := sens.Weights[j] / float64(m); math.Abs(got-fd) > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("w_%d/M = %.10g, finite difference %.10g", j, got, fd)
				}
			}
		})
	}
}

func loadLikeAllocation(seed uint64, m int) *mat.Dense {
	rng := newRand(seed)
	y := mat.NewDense(m, 10, nil)
	for j := 0; j < m; j++ {
		for i := 0; i < 10; i++ {
			v := 0.5 + 0.3*rng.NormFloat64()
			if rng.Float64() < 0.15 {
				v = -1.5 + 0.3*rng.NormFloat64()
			}
			y.Set(j, i, v)
		}
	}
	return y
}

// TestEstimatorsAgreeOnGaussianFamily uses y ~ N(μ, σ²I) and the allocation
// cost on a box, where the population solution is explicit:
// argmin E exp(−yᵀz) = argmin −μᵀz + σ²‖z‖²/2 ⇒ z(μ) = clip(μ/σ², 0, C).
// The loss is L(μ) = f(y_true, z(μ)). The score-function estimate
// (1/M)Σ w_j (y_j − μ)/σ² and the reparameterization estimate Σ_j DY_j
// (y_j = μ + σε_j) must agree with each other and with finite differences
// of L within Monte Carlo error.
func TestEstimatorsAgreeOnGaussianFamily(t *testing.T) {
	const sigma = 0.5
	mu := []float64{0.2, 0.3, 0.8} // z = (0.8, 1.2, clipped 2)
	yTrue := []float64{0.5, -0.4, 0.3}
	p := Allocation{N: 3, C: 2}
	zPop := func(mu []float64) []float64 {
		z := make([]float64, len(mu))
		for i, v := range mu {
			z[i] = math.Max(0, math.Min(2, v/(sigma*sigma)))
		}
		return z
	}
	truth := make([]float64, 3)
	for i := range mu {
		const h = 1e-6
		mp, mm := append([]float64(nil), mu...), append([]float64(nil), mu...)
		mp[i] += h
		mm[i] -= h
		truth[i] = (p.Cost(yTrue, zPop(mp)) - p.Cost(yTrue, zPop(mm))) / (2 * h)
	}
	sf, rp := gaussianEstimates(t, p, mu, sigma, yTrue, 400, 40)
	for i := range mu {
		ms, ss := meanSE(sf[i])
		mr, sr := meanSE(rp[i])
		t.Logf("coordinate %d: truth %.5f  score function %.5f ± %.5f  reparameterization %.5f ± %.5f", i, truth[i], ms, ss, mr, sr)
		// Bias of the SAA gradient is O(1/M); allow it besides 4 standard errors.
		if math.Abs(ms-truth[i]) > 4*ss+0.01*math.Abs(truth[i])+1e-3 {
			t.Errorf("coordinate %d: score function %.5f vs truth %.5f", i, ms, truth[i])
		}
		if math.Abs(mr-truth[i]) > 4*sr+0.01*math.Abs(truth[i])+1e-3 {
			t.Errorf("coordinate %d: reparameterization %.5f vs truth %.5f", i, mr, truth[i])
		}
		if math.Abs(ms-mr) > 4*math.Hypot(ss, sr)+1e-3 {
			t.Errorf("coordinate %d: estimators disagree: %.5f vs %.5f", i, ms, mr)
		}
	}
}

// gaussianEstimates returns, per coordinate of μ, reps replications of the
// score-function estimate (1/M)Σ_j w_j (y_j − μ)/σ² and of the
// reparameterization estimate Σ_j DY_j of dL/dμ, L = f(yTrue, z*).
func gaussianEstimates(t *testing.T, p Problem, mu []float64, sigma float64, yTrue []float64, m, reps int) ([][]float64, [][]float64) {
	rng := newRand(71)
	n := len(mu)
	sf, rp := make([][]float64, n), make([][]float64, n)
	for r := 0; r < reps; r++ {
		y := mat.NewDense(m, n, nil)
		for j := 0; j < m; j++ {
			for i := range mu {
				y.Set(j, i, mu[i]+sigma*rng.NormFloat64())
			}
		}
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := make([]float64, n)
		p.Grad(a, yTrue, sol.Z)
		sens, err := Differentiate(p, y, sol, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range mu {
			var s, d float64
			for j := 0; j < m; j++ {
				s += sens.Weights[j] * (y.At(j, i) - mu[i]) / (sigma * sigma) / float64(m)
				d += sens.DY.At(j, i)
			}
			sf[i], rp[i] = append(sf[i], s), append(rp[i], d)
		}
	}
	return sf, rp
}

func meanSE(x []float64) (float64, float64) {
	var m, v float64
	for _, e := range x {
		m += e / float64(len(x))
	}
	for _, e := range x {
		v += (e - m) * (e - m) / float64(len(x)-1)
	}
	return m, math.Sqrt(v / float64(len(x)))
}
