package solver

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// returnSamples draws M return vectors with per-asset means mu and sd.
func returnSamples(seed uint64, m, n int, sd float64) (*mat.Dense, []float64) {
	rng := newRand(seed)
	mu := make([]float64, n)
	for i := range mu {
		mu[i] = 0.01 * rng.NormFloat64()
	}
	y := mat.NewDense(m, n, nil)
	for j := 0; j < m; j++ {
		for i := 0; i < n; i++ {
			y.Set(j, i, mu[i]+sd*rng.NormFloat64())
		}
	}
	return y, mu
}

func TestPortfolioArgmaxVertex(t *testing.T) {
	y, _ := returnSamples(21, 10, 50, 0.02)
	for _, upper := range []bool{false, true} {
		p := NewPortfolio(1e-6)
		p.UpperBounds = upper
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		mean := make([]float64, 50)
		for i := range mean {
			mean[i] = mat.Sum(y.ColView(i)) / 10
		}
		k := 0
		for i, v := range mean {
			if v > mean[k] {
				k = i
			}
		}
		for i, v := range sol.Z {
			want := 0.0
			if i == k {
				want = 1
			}
			if v != want {
				t.Fatalf("z[%d] = %v, want the one-hot vertex at argmax ȳ = %d", i, v, k)
			}
		}
		// §2.3 convention: ν = ȳ_k − α(Sz)_k, λ_up = 0, λ_lo from stationarity.
		var skk float64
		for j := 0; j < 10; j++ {
			skk += y.At(j, k) * y.At(j, k) / 10
		}
		if nu := mean[k] - 1e-6*skk; math.Abs(sol.Nu[0]-nu) > 1e-15 {
			t.Errorf("ν = %v, want %v", sol.Nu[0], nu)
		}
		if upper && normInf(sol.Lambda[50:]) != 0 {
			t.Errorf("λ_up = %v, want 0", sol.Lambda[50:])
		}
		grad := make([]float64, 50)
		newSAAObjective(p, y).grad(grad, sol.Z)
		kktCheck(t, grad, p.Constraints(), sol, 1e-14)
	}
}

func TestPortfolioVertexMatchesInteriorPoint(t *testing.T) {
	// The vertex shortcut and the general QP agree, including the multipliers.
	for seed := uint64(0); seed < 20; seed++ {
		y, _ := returnSamples(100+seed, 10, 20, 0.02)
		p := Portfolio{N: 20, Alpha: 1e-6}
		fast, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, n := y.Dims()
		var s mat.SymDense
		s.SymOuterK(1e-6/float64(m), y.T())
		q := make([]float64, n)
		for i := range q {
			q[i] = -mat.Sum(y.ColView(i)) / float64(m)
		}
		ref, err := SolveQP(context.Background(), QP{P: &s, Q: q, Constraints: p.Constraints()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(fast.Z, ref.Z); d > 1e-12 {
			t.Errorf("seed %d: z differs by %g", seed, d)
		}
		if d := math.Abs(fast.Nu[0] - ref.Nu[0]); d > 1e-12 {
			t.Errorf("seed %d: ν %v vs %v", seed, fast.Nu[0], ref.Nu[0])
		}
	}
}

func TestPortfolioRandomKKT(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		y, _ := returnSamples(200+seed, 10, 50, 0.5)
		p := NewPortfolio(1)
		p.UpperBounds = seed%2 == 0
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		grad := make([]float64, 50)
		newSAAObjective(p, y).grad(grad, sol.Z)
		kktCheck(t, grad, p.Constraints(), sol, 1e-9)
	}
}

func TestPortfolioErrors(t *testing.T) {
	y := mat.NewDense(2, 50, nil)
	if _, err := Solve(context.Background(), NewPortfolio(-1), y, nil); !errors.Is(err, ErrNotConvex) {
		t.Errorf("α < 0: %v", err)
	}
	if _, err := Solve(context.Background(), NewPortfolio(math.Inf(1)), y, nil); !errors.Is(err, ErrNaN) {
		t.Errorf("α = Inf: %v", err)
	}
}
