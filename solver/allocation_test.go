package solver

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestAllocationOneDimensionalOptimum(t *testing.T) {
	// 9 samples at 0.5 and one at −1.5: F'(z) ∝ −0.45e^{−z/2} + 0.15e^{3z/2},
	// zero at z = ln(3)/2 (synthetic.md §7, the population optimum of the mixture).
	y := mat.NewDense(10, 1, []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -1.5})
	sol, err := Solve(context.Background(), Allocation{N: 1, C: 2}, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Log(3) / 2; math.Abs(sol.Z[0]-want) > 1e-12 {
		t.Fatalf("z* = %.15g, want ln(3)/2 = %.15g", sol.Z[0], want)
	}
	if sol.Lambda[0] != 0 || sol.Lambda[1] != 0 {
		t.Errorf("interior optimum has multipliers %v", sol.Lambda)
	}
}

func TestAllocationBangBang(t *testing.T) {
	y := []float64{0.3, -0.2, 1.5, -0.01, 0.02, -3, 0.4, 0.1, -0.5, 2}
	p := NewAllocation()
	sol, err := Solve(context.Background(), p, mat.NewDense(1, 10, y), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sol.Status != StatusExact {
		t.Errorf("status %v", sol.Status)
	}
	e := math.Exp(-dot(y, sol.Z))
	for i, v := range y {
		want := 0.0
		if v > 0 {
			want = 2
		}
		if sol.Z[i] != want {
			t.Errorf("z[%d] = %v, want exactly %v", i, sol.Z[i], want)
		}
		// λ_lo = ∂F/∂z_i at 0, λ_up = −∂F/∂z_i at C (synthetic.md §2).
		lo, up := 0.0, 0.0
		if v < 0 {
			lo = -e * v
		} else {
			up = e * v
		}
		if math.Abs(sol.Lambda[i]-lo) > 1e-14 || math.Abs(sol.Lambda[10+i]-up) > 1e-14 {
			t.Errorf("coordinate %d: λ_lo %g λ_up %g, want %g %g", i, sol.Lambda[i], sol.Lambda[10+i], lo, up)
		}
	}
}

func TestAllocationRandomKKT(t *testing.T) {
	rng := newRand(3)
	p := NewAllocation()
	for trial := 0; trial < 100; trial++ {
		m := 1 + rng.IntN(40)
		y := mat.NewDense(m, 10, nil)
		for j := 0; j < m; j++ {
			for i := 0; i < 10; i++ {
				v := 0.5 + 0.075*rng.NormFloat64()
				if rng.Float64() < 0.1 {
					v = -1.5 + 0.075*rng.NormFloat64()
				}
				y.Set(j, i, v)
			}
		}
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		grad := make([]float64, 10)
		newExpObjective(y).grad(grad, sol.Z)
		kktCheck(t, grad, p.Constraints(), sol, 1e-9)
	}
}

func TestAllocationErrors(t *testing.T) {
	ctx := context.Background()
	y := mat.NewDense(2, 10, nil)
	if _, err := Solve(ctx, Allocation{N: 10, C: -1}, y, nil); !errors.Is(err, ErrInfeasible) {
		t.Errorf("C < 0: %v", err)
	}
	if _, err := Solve(ctx, Allocation{N: 10, C: math.NaN()}, y, nil); !errors.Is(err, ErrNaN) {
		t.Errorf("C NaN: %v", err)
	}
	y.Set(1, 3, math.Inf(-1))
	if _, err := Solve(ctx, NewAllocation(), y, nil); !errors.Is(err, ErrNaN) {
		t.Errorf("Inf sample: %v", err)
	}
	mustPanicWith(t, ErrDimension, func() { Solve(ctx, NewAllocation(), mat.NewDense(2, 9, nil), nil) })
}
