package solver

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// exactAdjoint solves Kᵀu = [a; 0] for the plain (no pins, no ridge) K.
func exactAdjoint(t *testing.T, p Problem, y *mat.Dense, sol *Solution, a []float64) []float64 {
	t.Helper()
	n := p.Dim()
	hess := make([]float64, n*n)
	newSAAObjective(p, y).hess(hess, sol.Z)
	sys := newKKT(hess, problemRows(p), sol, nil, 0, 0, 0, false)
	if !sys.factor(1e12) {
		t.Fatalf("plain KKT system ill-posed (cond %.3g)", sys.info.Cond)
	}
	u, _, err := sys.adjoint(a)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAllocationReferenceMixedIsAveragedTranspose(t *testing.T) {
	y := loadLikeAllocation(81, 6)
	p := NewAllocation()
	sol, _ := Solve(context.Background(), p, y, nil)
	a := randomVector(3, 10)
	ref, opts := ReferenceOptions(p)
	opts.Group = 3
	sens, err := Differentiate(ref, y, sol, a, &opts)
	if err != nil {
		t.Fatal(err)
	}
	uz := exactAdjoint(t, p, y, sol, a)
	for g0 := 0; g0 < 6; g0 += 3 {
		// D̄ = mean_j e_j(−I + z y_jᵀ) over the group; dL/dy_j = −(1/3) D̄ᵀu.
		want := make([]float64, 10)
		for j := g0; j < g0+3; j++ {
			yj := y.RawRowView(j)
			e := math.Exp(-dot(yj, sol.Z))
			zu := dot(sol.Z, uz)
			for k := range want {
				want[k] += e * (-uz[k] + yj[k]*zu) / 3
			}
		}
		for j := g0; j < g0+3; j++ {
			for k := range want {
				if d := sens.DY.At(j, k) + want[k]/3; math.Abs(d) > 1e-12 {
					t.Fatalf("sample %d coordinate %d off by %g", j, k, d)
				}
			}
		}
	}
	exact, _ := Differentiate(p, y, sol, a, nil)
	if maxAbsDiff(exact.DY.RawMatrix().Data, sens.DY.RawMatrix().Data) < 1e-3 {
		t.Error("reference form should differ from the exact one")
	}
}

func TestPortfolioDegenerateVertexConventions(t *testing.T) {
	y, _ := returnSamples(91, 10, 50, 0.02)
	a := randomVector(4, 50)
	ctx := context.Background()
	// Exact: non-degenerate vertex, K non-singular, z* locally constant.
	p := NewPortfolio(1e-6)
	sol, _ := Solve(ctx, p, y, nil)
	sens, err := Differentiate(p, y, sol, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sens.Score.Auto || normInf(sens.DY.RawMatrix().Data) > 1e-12 || normInf(sens.Weights) > 1e-12 {
		t.Errorf("exact vertex: auto=%v |DY|=%g |w|=%g, want zero gradients without regularization",
			sens.Score.Auto, normInf(sens.DY.RawMatrix().Data), normInf(sens.Weights))
	}
	// Reference: z ≤ 1 rows (one weakly active), ridge 1e-6, diag Jacobian:
	// DY is non-zero only in the chosen asset.
	ref, opts := ReferenceOptions(p)
	rsol, _ := Solve(ctx, ref, y, nil)
	rsens, err := Differentiate(ref, y, rsol, a, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if rsens.Reparam.WeaklyActive != 1 || rsens.Reparam.Ridge != 1e-6 {
		t.Errorf("reference KKT info %+v", rsens.Reparam)
	}
	k := 0
	for i, v := range rsol.Z {
		if v == 1 {
			k = i
		}
	}
	for j := 0; j < 10; j++ {
		for i := 0; i < 50; i++ {
			if v := rsens.DY.At(j, i); (i == k) != (v != 0) {
				t.Fatalf("sample %d asset %d: %g (chosen asset %d)", j, i, v, k)
			}
		}
	}
	if normInf(rsens.Weights) == 0 {
		t.Error("reference weights vanish")
	}
}

func TestPowerKinkConventions(t *testing.T) {
	rng := newRand(101)
	p := NewPower()
	y := loadSamples(rng, 25, 24, 0.03, 0)
	sol, _ := Solve(context.Background(), p, y, nil)
	if normInf(sol.Lambda) != 0 {
		t.Fatal("instance has active ramps")
	}
	a := randomVector(5, 24)
	exact, err := Differentiate(p, y, sol, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, opts := ReferenceOptions(p)
	refSens, err := Differentiate(ref, y, sol, a, &opts)
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[[2]int]bool{}
	for _, k := range sol.Kinks {
		pinned[[2]int{k.Sample, k.Coord}] = true
	}
	for j := 0; j < 25; j++ {
		for h := 0; h < 24; h++ {
			want := 0.0
			if pinned[[2]int{j, h}] {
				want = a[h] // only the tied (largest) sample moves z_h
			}
			if d := exact.DY.At(j, h) - want; math.Abs(d) > 1e-12 {
				t.Fatalf("exact: sample %d hour %d off by %g", j, h, d)
			}
			if d := refSens.DY.At(j, h) - a[h]/25; math.Abs(d) > 1e-12 {
				t.Fatalf("reference: sample %d hour %d off by %g", j, h, d)
			}
		}
	}
	// Stationarity subgradient at ties: weights sum to zero; the reference
	// gives the tied sample g = 0, so its weights do not.
	var sum, refSum float64
	for j := range exact.Weights {
		sum += exact.Weights[j]
		refSum += refSens.Weights[j]
	}
	if math.Abs(sum) > 1e-9 || math.Abs(refSum) < 1 {
		t.Errorf("Σw = %g (want 0), reference Σw = %g (want far from 0)", sum, refSum)
	}
}

func TestPowerDensityHessian(t *testing.T) {
	rng := newRand(102)
	p := NewPower()
	y := loadSamples(rng, 25, 24, 0.05, 0)
	sol, _ := Solve(context.Background(), p, y, nil)
	a := randomVector(6, 24)
	sens, err := Differentiate(p, y, sol, a, &DiffOptions{Want: WantWeights, ScoreHessian: ScoreDensity})
	if err != nil {
		t.Fatal(err)
	}
	// No active ramp: u_h = a_h / (1 + (γu+γo) p̂_h(z_h)).
	u := make([]float64, 24)
	for h := range u {
		col := mat.Col(nil, h, y)
		_, sd := meanSD(col)
		bw := 1.06 * sd * math.Pow(25, -0.2)
		var dens float64
		for _, v := range col {
			x := (sol.Z[h] - v) / bw
			dens += math.Exp(-x*x/2) / (bw * math.Sqrt(2*math.Pi) * 25)
		}
		u[h] = a[h] / (1 + 50.5*dens)
	}
	g := make([]float64, 24)
	for j := 0; j < 25; j++ {
		p.Grad(g, y.RawRowView(j), sol.Z)
		for _, k := range sol.Kinks {
			if k.Sample == j {
				g[k.Coord] = 0
				for s := 0; s < 25; s++ {
					if s != j {
						gs := make([]float64, 24)
						p.Grad(gs, y.RawRowView(s), sol.Z)
						g[k.Coord] -= gs[k.Coord]
					}
				}
			}
		}
		if d := sens.Weights[j] + dot(u, g); math.Abs(d) > 1e-9*(1+math.Abs(sens.Weights[j])) {
			t.Fatalf("sample %d: weight off by %g", j, d)
		}
	}
}

func meanSD(x []float64) (float64, float64) {
	var m, v float64
	for _, e := range x {
		m += e / float64(len(x))
	}
	for _, e := range x {
		v += (e - m) * (e - m) / float64(len(x)-1)
	}
	return m, math.Sqrt(v)
}

func TestAutomaticRegularization(t *testing.T) {
	// One sample with a zero coordinate: F does not depend on z_3, which sits
	// strictly inside the box; the optimum is not unique and K is singular.
	y := mat.NewDense(1, 4, []float64{0.5, -0.3, 0.2, 0})
	p := Allocation{N: 4, C: 2}
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	sens, err := Differentiate(p, y, sol, []float64{1, 1, 1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sens.Reparam.Auto || sens.Reparam.Ridge <= 0 {
		t.Errorf("KKT info %+v, want automatic regularization", sens.Reparam)
	}
	if err := checkFinite("DY", sens.DY.RawMatrix().Data); err != nil {
		t.Error(err)
	}
}

// TestRidgeSignAtVertex documents a property of the reference's K + 1e-6·I:
// on an active bound the complementarity diagonal becomes +r, a negative
// stiffness, so raising the return of an asset held at zero lowers its
// weight (out of the feasible set). Smooth has the barrier's sign.
func TestRidgeSignAtVertex(t *testing.T) {
	y := mat.NewDense(2, 2, []float64{0.02, 0.01, 0.02, 0.01}) // z* = (1, 0)
	p := Portfolio{N: 2, Alpha: 1e-6}
	a := []float64{0, 1} // L = z_2
	slope := func(p Portfolio, opts *DiffOptions) float64 {
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		sens, err := Differentiate(p, y, sol, a, opts)
		if err != nil {
			t.Fatal(err)
		}
		return sens.DY.At(0, 1) + sens.DY.At(1, 1) // dz_2/dȳ_2
	}
	withBounds := p
	withBounds.UpperBounds = true
	ridge := slope(withBounds, &DiffOptions{Ridge: 1e-6})
	smooth := slope(p, &DiffOptions{Smooth: 1e-6})
	exact := slope(p, nil)
	// Hand computation: (2r ∓ λ/r) dz_2 = dȳ_2 with λ = 0.01, r = 1e-6.
	if math.Abs(ridge+1e-4) > 1e-6 || math.Abs(smooth-1e-4) > 1e-6 || exact != 0 {
		t.Errorf("dz_2/dȳ_2: ridge %g (want −1e-4), smooth %g (want 1e-4), exact %g (want 0)", ridge, smooth, exact)
	}
}

func TestSmoothTendsToExact(t *testing.T) {
	y := loadLikeAllocation(151, 8)
	p := NewAllocation()
	sol, _ := Solve(context.Background(), p, y, nil)
	a := randomVector(10, 10)
	exact, _ := Differentiate(p, y, sol, a, nil)
	prev := math.Inf(1)
	for _, delta := range []float64{1e-2, 1e-4, 1e-6} {
		s, err := Differentiate(p, y, sol, a, &DiffOptions{Smooth: delta})
		if err != nil {
			t.Fatal(err)
		}
		d := maxAbsDiff(s.DY.RawMatrix().Data, exact.DY.RawMatrix().Data)
		if d >= prev {
			t.Errorf("δ = %g: distance to exact %g did not shrink (previous %g)", delta, d, prev)
		}
		prev = d
	}
	if prev > 1e-4 {
		t.Errorf("δ = 1e-6 still %g from the exact derivative", prev)
	}
}
