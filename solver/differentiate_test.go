package solver

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// solveZ solves and returns z*, failing the test on error.
func solveZ(t *testing.T, p Problem, y *mat.Dense) []float64 {
	t.Helper()
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sol.Z
}

// checkDYFiniteDifferences compares DY with central differences of aᵀz*(Y)
// in every sample entry.
func checkDYFiniteDifferences(t *testing.T, p Problem, y *mat.Dense, a []float64, step, tol float64) *Sensitivity {
	t.Helper()
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	sens, err := Differentiate(p, y, sol, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, n := y.Dims()
	for j := 0; j < m; j++ {
		for k := 0; k < n; k++ {
			yp, ym := mat.DenseCopyOf(y), mat.DenseCopyOf(y)
			yp.Set(j, k, y.At(j, k)+step)
			ym.Set(j, k, y.At(j, k)-step)
			fd := (dot(a, solveZ(t, p, yp)) - dot(a, solveZ(t, p, ym))) / (2 * step)
			if got := sens.DY.At(j, k); math.Abs(got-fd) > tol*(1+math.Abs(fd)) {
				t.Errorf("dL/dy[%d][%d] = %.10g, finite difference %.10g", j, k, got, fd)
			}
		}
	}
	return sens
}

func randomVector(seed uint64, n int) []float64 {
	rng := newRand(seed)
	a := make([]float64, n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	return a
}

func TestDYAllocationFiniteDifferences(t *testing.T) {
	rng := newRand(31)
	y := mat.NewDense(8, 10, nil)
	for j := 0; j < 8; j++ {
		for i := 0; i < 10; i++ {
			v := 0.5 + 0.3*rng.NormFloat64()
			if rng.Float64() < 0.15 {
				v = -1.5 + 0.3*rng.NormFloat64()
			}
			y.Set(j, i, v)
		}
	}
	sol, _ := Solve(context.Background(), NewAllocation(), y, nil)
	interior := 0
	for _, v := range sol.Z {
		if v > 0 && v < 2 {
			interior++
		}
	}
	if interior == 0 || interior == 10 {
		t.Fatalf("want a mix of interior and bound coordinates, z = %v", sol.Z)
	}
	checkDYFiniteDifferences(t, NewAllocation(), y, randomVector(1, 10), 1e-6, 1e-6)
}

func TestDYPortfolioFiniteDifferences(t *testing.T) {
	// α = 1 and large return spread: a non-degenerate interior-ish optimum.
	y, _ := returnSamples(41, 10, 8, 0.5)
	p := Portfolio{N: 8, Alpha: 1}
	sol, _ := Solve(context.Background(), p, y, nil)
	nonzero := 0
	for _, v := range sol.Z {
		if v > 1e-9 {
			nonzero++
		}
	}
	if nonzero < 2 {
		t.Fatalf("degenerate test instance: z = %v", sol.Z)
	}
	checkDYFiniteDifferences(t, p, y, randomVector(2, 8), 1e-6, 1e-6)
}

func TestDYPowerFiniteDifferences(t *testing.T) {
	// Ramps bind and every hour sits on a kink: the exact-kink convention
	// must match the true local derivative.
	rng := newRand(51)
	p := Power{N: 8, GammaU: 50, GammaO: 0.5, Ramp: 0.4}
	for trial := 0; trial < 4; trial++ {
		y := loadSamples(rng, 5, 8, 0.05, 0.6)
		sol, _ := Solve(context.Background(), p, y, nil)
		t.Logf("trial %d: %d kinks, %d active ramps", trial, len(sol.Kinks), countPositive(sol.Lambda))
		checkDYFiniteDifferences(t, p, y, randomVector(uint64(trial), 8), 1e-7, 1e-6)
	}
}

func countPositive(x []float64) int {
	c := 0
	for _, v := range x {
		if v > 0 {
			c++
		}
	}
	return c
}

// TestPointPredictionGradient: with one sample (a point forecast ŷ) DY's
// row is dL/dŷ. In the hand case of TestPowerBindingRampByHand, z* =
// (ŷ_2 − 0.4, ŷ_2): both hours follow the second forecast hour.
func TestPointPredictionGradient(t *testing.T) {
	p := Power{N: 2, GammaU: 50, GammaO: 0.5, Ramp: 0.4}
	y := mat.NewDense(1, 2, []float64{0, 1})
	sol, _ := Solve(context.Background(), p, y, nil)
	a := []float64{0.7, -0.2}
	sens, err := Differentiate(p, y, sol, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sens.DY.RawRowView(0); math.Abs(got[0]) > 1e-15 || math.Abs(got[1]-0.5) > 1e-15 {
		t.Errorf("dL/dŷ = %v, want (0, 0.5)", got)
	}
	rng := newRand(161)
	checkDYFiniteDifferences(t, NewPower(), loadSamples(rng, 1, 24, 0, 0.6), randomVector(11, 24), 1e-7, 1e-6)
	checkDYFiniteDifferences(t, Portfolio{N: 6, Alpha: 1}, mat.NewDense(1, 6, []float64{0.3, 0.5, -0.2, 0.45, 0.1, 0.2}), randomVector(12, 6), 1e-6, 1e-6)
}
