package solver

import (
	"context"
	"math"
	"testing"
)

func TestProjectMatchesQP(t *testing.T) {
	rng := newRand(111)
	ctx := context.Background()
	for _, p := range []Problem{NewAllocation(), NewPortfolio(1e-6), Portfolio{N: 50, Alpha: 1, UpperBounds: true}, NewPower()} {
		n := p.Dim()
		for trial := 0; trial < 20; trial++ {
			v := make([]float64, n)
			for i := range v {
				v[i] = 1.5 * rng.NormFloat64()
			}
			sol, err := Project(ctx, p, v, nil)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := SolveQP(ctx, QP{P: identity(n), Q: scaled(v, -1), Constraints: p.Constraints()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(sol.Z, ref.Z); d > 1e-9 {
				t.Errorf("%T: projection differs from the QP by %g", p, d)
			}
			if r := sol.Residuals.Max(); r > 1e-12 {
				t.Errorf("%T: residuals %+v", p, sol.Residuals)
			}
		}
	}
}

func TestProjectVJPFiniteDifferences(t *testing.T) {
	rng := newRand(112)
	ctx := context.Background()
	for _, p := range []Problem{NewAllocation(), NewPortfolio(1e-6), NewPower()} {
		n := p.Dim()
		v := make([]float64, n)
		for i := range v {
			v[i] = 1.5 * rng.NormFloat64()
		}
		if _, ok := p.(Power); ok {
			for i := range v {
				v[i] = 0.3 * float64(i%5) // steps of 0.3 and drops of 1.2: some ramps bind
			}
		}
		a := randomVector(9, n)
		sol, _ := Project(ctx, p, v, nil)
		g, err := ProjectVJP(p, v, sol, a)
		if err != nil {
			t.Fatal(err)
		}
		for k := range v {
			const h = 1e-7
			vp, vm := append([]float64(nil), v...), append([]float64(nil), v...)
			vp[k] += h
			vm[k] -= h
			sp, _ := Project(ctx, p, vp, nil)
			sm, _ := Project(ctx, p, vm, nil)
			fd := (dot(a, sp.Z) - dot(a, sm.Z)) / (2 * h)
			if math.Abs(fd-g[k]) > 1e-6*(1+math.Abs(fd)) {
				t.Errorf("%T: ∂/∂v[%d] = %.10g, finite difference %.10g", p, k, g[k], fd)
			}
		}
	}
}
