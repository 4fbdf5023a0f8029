package solver

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The reproductions of the solver review (binding ramps, small optimal
// values, a trivial allocation program, option checks, a portfolio tie),
// each pinned to its hand-computed answer.

// TestPowerBindingRampsExactGradient: both up ramps bind (z = t + (0, c,
// 2c), t = 54.85, λ = 0.1) and every hour lies strictly between its two
// samples, so t is the mean of the six y_sh − offset_h and, with a = 1,
// dL/dy_sh = 3/6 = 0.5 for every entry.
// Before active sets were identified with a tolerance, the ±1e-15 slack of
// the ramp rows gave DY ≈ 3.6e-5 and weights ±0.012.
func TestPowerBindingRampsExactGradient(t *testing.T) {
	p := NewPower()
	p.N = 3
	y := mat.NewDense(2, 3, []float64{0, 0, 0, 60, 61, 62})
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	for h := 0; h < 2; h++ {
		if math.Abs(sol.Lambda[h]-0.1) > 1e-12 {
			t.Fatalf("λ_up[%d] = %g, want 0.1", h, sol.Lambda[h])
		}
	}
	sens, err := Differentiate(p, y, sol, []float64{1, 1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sens.DY.RawMatrix().Data {
		if math.Abs(v-0.5) > 1e-12 {
			t.Fatalf("DY = %v, want 0.5 everywhere", mat.Formatted(sens.DY))
		}
	}
	if math.Abs(sens.Weights[0]+167.25) > 1e-9 || math.Abs(sens.Weights[1]-167.25) > 1e-9 {
		t.Errorf("weights %v, want ±167.25", sens.Weights)
	}
	if sens.Reparam.Auto {
		t.Errorf("well-posed system regularized: %+v", sens.Reparam)
	}
	checkDYFiniteDifferences(t, p, y, []float64{1, 1, 1}, 1e-4, 1e-7)
}

// TestProjectVJPBindingRamps: every ramp binds at Π(v) = [0.41 0.81 0.41
// 0.81 1.21], so Π moves rigidly with the mean of v: aᵀ∂Π/∂v = (Σa/5)·1.
func TestProjectVJPBindingRamps(t *testing.T) {
	p := Power{N: 5, GammaU: 50, GammaO: 0.5, Ramp: 0.4}
	v := []float64{0.31, 1.01, 0.21, 0.81, 1.31}
	sol, err := Project(context.Background(), p, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.41, 0.81, 0.41, 0.81, 1.21}
	if d := maxAbsDiff(sol.Z, want); d > 1e-12 {
		t.Fatalf("Π(v) = %v, want %v", sol.Z, want)
	}
	a := []float64{0.3, -0.1, 0.05, 0.2, -0.3}
	g, err := ProjectVJP(p, v, sol, a)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range g {
		if math.Abs(x-0.03) > 1e-12 {
			t.Fatalf("VJP[%d] = %g, want 0.03 (all %v)", i, x, g)
		}
	}
}

// TestAllocationSmallOptimalValue: alternating ±4 samples give F* = e^-40;
// the vertex (2, 0, 2, 0, …) is optimal and must be found exactly (the
// stopping test scaled by 1 + |F| used to stop at F/F* ≈ 2.7e7).
func TestAllocationSmallOptimalValue(t *testing.T) {
	y := mat.NewDense(1, 10, []float64{4, -4, 4, -4, 4, -4, 4, -4, 4, -4})
	sol, err := Solve(context.Background(), NewAllocation(), y, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{2, 0, 2, 0, 2, 0, 2, 0, 2, 0}
	if maxAbsDiff(sol.Z, want) != 0 || sol.Status != StatusExact {
		t.Fatalf("z = %v (%v), want %v exactly", sol.Z, sol.Status, want)
	}
	if r := math.Abs(sol.Objective/math.Exp(-40) - 1); r > 1e-12 {
		t.Errorf("F(z)/F* − 1 = %g", r)
	}
	// Random single samples: a bang-bang vertex and a zero derivative.
	for seed := uint64(0); seed < 20; seed++ {
		y := mat.NewDense(1, 10, randomVector(100+seed, 10))
		sol, err := Solve(context.Background(), NewAllocation(), y, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range y.RawRowView(0) {
			if z := 2 * float64(boolInt(v > 0)); sol.Z[i] != z {
				t.Fatalf("seed %d: z = %v for y = %v", seed, sol.Z, y.RawRowView(0))
			}
		}
		sens, err := Differentiate(NewAllocation(), y, sol, randomVector(seed, 10), nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := normInf(sens.DY.RawMatrix().Data); d > 1e-12 {
			t.Errorf("seed %d: |DY| = %g at a vertex, want 0", seed, d)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAllocationTrivialProgram: samples −s·1 and 0.5·1 have ∇F(0) =
// (s − 0.5)/2·1 > 0, so z* = 0 and F* = 1; these used to fail to converge
// (N = 10 from s = 5, N = 3 from s = 20), and barely trained denoisers
// produce such samples (about −38).
func TestAllocationTrivialProgram(t *testing.T) {
	for _, n := range []int{3, 10} {
		for _, s := range []float64{5, 20, 38, 100} {
			y := mat.NewDense(2, n, nil)
			for i := 0; i < n; i++ {
				y.Set(0, i, -s)
				y.Set(1, i, 0.5)
			}
			sol, err := Solve(context.Background(), Allocation{N: n, C: 2}, y, nil)
			if err != nil {
				t.Fatalf("N = %d, s = %g: %v", n, s, err)
			}
			if normInf(sol.Z) != 0 || sol.Objective != 1 {
				t.Errorf("N = %d, s = %g: z = %v, F = %g, want 0 and 1", n, s, sol.Z, sol.Objective)
			}
			if d := math.Abs(sol.Lambda[0] - (s-0.5)/2); d > 1e-9*s {
				t.Errorf("N = %d, s = %g: λ_lo = %g, want %g", n, s, sol.Lambda[0], (s-0.5)/2)
			}
		}
	}
}

// TestOptionChecks: negative tolerances and limits are rejected, NaN ones
// reported as ErrNaN, before any work.
func TestOptionChecks(t *testing.T) {
	ctx := context.Background()
	p := NewAllocation()
	y := mat.NewDense(1, 10, randomVector(1, 10))
	qp := QP{Q: []float64{1}, Constraints: boxConstraints([]float64{0}, []float64{1})}
	bowl := funcObjective{n: 1, f: func(z []float64) float64 { return z[0] * z[0] },
		g: func(d, z []float64) { d[0] = 2 * z[0] }, h: 2}
	for _, tc := range []struct {
		opts Options
		want error
	}{
		{Options{Tol: -1}, ErrOption},
		{Options{MaxIter: -1}, ErrOption},
		{Options{Tol: math.NaN()}, ErrNaN},
	} {
		_, e1 := Solve(ctx, p, y, &tc.opts)
		_, e2 := SolveQP(ctx, qp, &tc.opts)
		_, e3 := SolveConvex(ctx, bowl, Constraints{}, nil, &tc.opts)
		for _, err := range []error{e1, e2, e3} {
			if !errors.Is(err, tc.want) {
				t.Errorf("options %+v: error %v, want %v", tc.opts, err, tc.want)
			}
		}
	}
	sol, err := Solve(ctx, p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts DiffOptions
		want error
	}{
		{DiffOptions{Smooth: -1e-3}, ErrOption},
		{DiffOptions{Ridge: math.NaN()}, ErrNaN},
		{DiffOptions{Smooth: math.NaN()}, ErrNaN},
	} {
		if _, err := Differentiate(p, y, sol, make([]float64, 10), &tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("diff options %+v: error %v, want %v", tc.opts, err, tc.want)
		}
	}
}

// TestPortfolioTieOneSided: two assets with equal returns make every point
// of the simplex optimal; the solver picks the vertex e_1 and z* jumps
// under perturbation. K without the weakly active bound z_2 ≥ 0 is
// singular (before: an automatic ridge of 1e-10 and DY ≈ 5e9); with it
// hard, the derivative is the one-sided one on the side where e_1 stays
// optimal: zero.
func TestPortfolioTieOneSided(t *testing.T) {
	p := Portfolio{N: 2, Alpha: 1e-6}
	y := mat.NewDense(1, 2, []float64{0.01, 0.01})
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	sens, err := Differentiate(p, y, sol, []float64{1, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sens.Reparam.OneSided || sens.Reparam.Auto {
		t.Errorf("KKT info %+v, want the one-sided system", sens.Reparam)
	}
	if d := normInf(sens.DY.RawMatrix().Data); d != 0 {
		t.Errorf("|DY| = %g, want 0", d)
	}
	// The side where z_1 moves: raising ȳ_1 keeps e_1, lowering it jumps.
	up := mat.DenseCopyOf(y)
	up.Set(0, 0, 0.01+1e-9)
	if z := solveZ(t, p, up); z[0] != 1 {
		t.Errorf("after raising y_1, z = %v, want e_1", z)
	}
}

// TestAutomaticRidgeBound: where no derivative exists even one-sidedly (an
// allocation coordinate that F ignores, strictly inside the box), the
// automatic ridge δ ≥ 1e-6·max(‖R‖max, max_j H_jj) bounds the result by
// ‖DY_j‖₂ ≤ (1/M)‖D_j‖₂‖a‖₂/δ.
func TestAutomaticRidgeBound(t *testing.T) {
	y := mat.NewDense(1, 4, []float64{0.5, -0.3, 0.2, 0})
	p := Allocation{N: 4, C: 2}
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := []float64{1, 1, 1, 1}
	sens, err := Differentiate(p, y, sol, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	info := sens.Reparam
	if !info.Auto || info.Ridge <= 0 {
		t.Fatalf("KKT info %+v, want automatic regularization", info)
	}
	d := mat.NewDense(4, 4, nil)
	p.Mixed(d, y.RawRowView(0), sol.Z)
	bound := mat.Norm(d, 2) * math.Sqrt(dot(a, a)) / info.Ridge
	if got := mat.Norm(sens.DY, 2); got > bound || math.IsNaN(got) {
		t.Errorf("‖DY‖ = %g above the documented bound %g (δ = %g)", got, bound, info.Ridge)
	}
}

// TestAllocationUnrepresentableValue: with samples of 100, F* = e^-2000
// underflows, and so would its multipliers F·λ'; Solve returns z* with
// ErrNoConvergence, NaN multipliers and infinite residuals, so that callers
// (the stages' clipping retry) do not differentiate it.
func TestAllocationUnrepresentableValue(t *testing.T) {
	y := mat.NewDense(1, 10, filled(10, 100))
	sol, err := Solve(context.Background(), NewAllocation(), y, nil)
	if !errors.Is(err, ErrNoConvergence) || sol.Status != StatusNoConvergence {
		t.Fatalf("error %v, status %v; want ErrNoConvergence", err, sol.Status)
	}
	if maxAbsDiff(sol.Z, filled(10, 2)) != 0 || !math.IsNaN(sol.Lambda[0]) || !math.IsInf(sol.Residuals.Max(), 1) {
		t.Errorf("z = %v, λ = %v, residuals %+v", sol.Z, sol.Lambda, sol.Residuals)
	}
	if _, err := Solve(context.Background(), NewAllocation(), mat.NewDense(1, 10, filled(10, -100)), nil); err != nil {
		t.Errorf("F* = 1 at z = 0: %v", err)
	}
}
