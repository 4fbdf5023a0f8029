package solver

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Property test: on random programs of the three tasks with binding
// constraints, DY and the score-function weights equal differences of
// re-solved programs. Where aᵀz* is differentiable the central difference
// must agree to 1e-6 relative to the case's gradient scale; at a kink (the
// forward and backward slopes differ) the analytic value must agree with
// one of the one-sided slopes.

const (
	propStep    = 1e-6
	propCentral = 1e-6 // relative agreement with the central difference
	propOneSide = 1e-5 // relative agreement with a one-sided slope at kinks
	propKink    = 1e-3 // relative slope jump that marks a kink
)

// slopes holds L(−h), L(0), L(+h) of one perturbation.
type slopes struct{ minus, zero, plus float64 }

// agrees compares got with the differences; scale is the case's gradient
// scale. It reports whether a kink was seen and whether got agrees.
func (s slopes) agrees(got, scale float64) (kink, ok bool) {
	fwd, bwd := (s.plus-s.zero)/propStep, (s.zero-s.minus)/propStep
	central := (s.plus - s.minus) / (2 * propStep)
	if math.Abs(fwd-bwd) <= propKink*scale {
		return false, math.Abs(got-central) <= propCentral*scale
	}
	return true, math.Abs(got-fwd) <= propOneSide*scale || math.Abs(got-bwd) <= propOneSide*scale
}

// propCase is one random program with a way to re-solve it with sample
// weights ω (for the weights; nil: not checked).
type propCase struct {
	p        Problem
	y        *mat.Dense
	weighted func(t *testing.T, omega []float64, z0 []float64) []float64
}

func TestDerivativesMatchResolvedDifferences(t *testing.T) {
	kinds := []struct {
		name      string
		gen       func(rng *rand.Rand) propCase
		wantKinks bool
	}{
		{"allocation", propAllocation, false},
		{"power", propPower, false},
		{"power-paper-prices", propPowerPaper, false},
		{"portfolio", propPortfolio, false},
		{"box-projection-on-bounds", propBoxKinks, true},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			rng := newRand(404)
			var tot propCounts
			for trial := 0; trial < 8; trial++ {
				tot.add(checkCase(t, k.gen(rng), rng))
			}
			if tot.binding == 0 || tot.smooth == 0 || (k.wantKinks && tot.kinks == 0) {
				t.Errorf("%+v: the generator misses its purpose", tot)
			}
			t.Logf("%d binding constraints; %d central and %d one-sided comparisons, %d of them weights",
				tot.binding, tot.smooth, tot.kinks, tot.weights)
		})
	}
}

// propCounts counts what one or more cases compared.
type propCounts struct{ kinks, smooth, binding, weights int }

func (c *propCounts) add(d propCounts) {
	c.kinks, c.smooth, c.binding, c.weights = c.kinks+d.kinks, c.smooth+d.smooth, c.binding+d.binding, c.weights+d.weights
}

func (c *propCounts) count(kink bool) {
	c.kinks += boolInt(kink)
	c.smooth += boolInt(!kink)
}

// checkCase solves, differentiates and compares every DY entry and weight.
func checkCase(t *testing.T, c propCase, rng *rand.Rand) (cnt propCounts) {
	t.Helper()
	ctx := context.Background()
	m, n := c.y.Dims()
	sol, err := Solve(ctx, c.p, c.y, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range sol.Lambda {
		if l > 1e-9 {
			cnt.binding++
		}
	}
	a := make([]float64, n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	sens, err := Differentiate(c.p, c.y, sol, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	loss := func(y *mat.Dense) float64 { return dot(a, solveZ(t, c.p, y)) }
	base := dot(a, sol.Z)
	scale := 1e-3 + normInf(sens.DY.RawMatrix().Data)
	for j := 0; j < m; j++ {
		for k := 0; k < n; k++ {
			yp, ym := mat.DenseCopyOf(c.y), mat.DenseCopyOf(c.y)
			yp.Set(j, k, c.y.At(j, k)+propStep)
			ym.Set(j, k, c.y.At(j, k)-propStep)
			s := slopes{loss(ym), base, loss(yp)}
			kink, ok := s.agrees(sens.DY.At(j, k), scale)
			if !ok {
				t.Errorf("%T: dL/dy[%d][%d] = %.10g; slopes −%.10g +%.10g", c.p, j, k, sens.DY.At(j, k),
					(s.zero-s.minus)/propStep, (s.plus-s.zero)/propStep)
			}
			cnt.count(kink)
		}
	}
	if c.weighted == nil || len(sol.Kinks) > 0 {
		return cnt // weights follow a convention at power kinks
	}
	wscale := 1e-3 + normInf(sens.Weights)/float64(m)
	for j := 0; j < m; j++ {
		at := func(e float64) float64 {
			omega := filled(m, 1)
			omega[j] += e
			return dot(a, c.weighted(t, omega, sol.Z))
		}
		s := slopes{at(-propStep), at(0), at(propStep)}
		kink, ok := s.agrees(sens.Weights[j]/float64(m), wscale)
		if !ok {
			t.Errorf("%T: w_%d/M = %.10g; slopes −%.10g +%.10g", c.p, j, sens.Weights[j]/float64(m),
				(s.zero-s.minus)/propStep, (s.plus-s.zero)/propStep)
		}
		cnt.count(kink)
		cnt.weights++
	}
	return cnt
}

// convexWeighted re-solves (1/M) Σ ω_j f(y_j, z) with SolveConvex.
func convexWeighted(p Problem, y *mat.Dense) func(*testing.T, []float64, []float64) []float64 {
	return func(t *testing.T, omega, z0 []float64) []float64 {
		s, err := SolveConvex(context.Background(), &weightedSAA{p, y, omega}, p.Constraints(), z0, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s.Z
	}
}

// propAllocation: coordinates with mean −1 sit at 0, mean 2 at C, mean 0.3
// inside or at a bound.
func propAllocation(rng *rand.Rand) propCase {
	const m, n = 5, 6
	p := Allocation{N: n, C: 1.5}
	y := mat.NewDense(m, n, nil)
	for i := 0; i < n; i++ {
		mu := []float64{-1, 0.3, 2}[rng.IntN(3)]
		for j := 0; j < m; j++ {
			y.Set(j, i, mu+0.4*rng.NormFloat64())
		}
	}
	return propCase{p: p, y: y, weighted: convexWeighted(p, y)}
}

// propPower: a steep trend (0.8 per hour against a ramp limit of 0.4) with
// a dip, so up and down ramps bind; small prices keep hours off kinks.
func propPower(rng *rand.Rand) propCase {
	p := Power{N: 6, GammaU: 0.5, GammaO: 0.3, Ramp: 0.4}
	return powerCase(p, rng)
}

// propPowerPaper: the paper's prices, where hours sit on kinks (pins).
func propPowerPaper(rng *rand.Rand) propCase {
	p := Power{N: 6, GammaU: 50, GammaO: 0.5, Ramp: 0.4}
	c := powerCase(p, rng)
	c.weighted = nil
	return c
}

func powerCase(p Power, rng *rand.Rand) propCase {
	const m = 4
	y := mat.NewDense(m, p.N, nil)
	for s := 0; s < m; s++ {
		for h := 0; h < p.N; h++ {
			trend := 0.8 * float64(h)
			if h >= 4 {
				trend = 0.8*3 - 1.2*float64(h-3)
			}
			y.Set(s, h, trend+0.3*rng.NormFloat64())
		}
	}
	weighted := func(t *testing.T, omega, _ []float64) []float64 {
		s, err := SolveQP(context.Background(), weightedEpigraphQP(p, y, omega), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s.Z[:p.N]
	}
	return propCase{p: p, y: y, weighted: weighted}
}

// propPortfolio: α = 2 with spread-out means leaves some assets at z_i = 0.
func propPortfolio(rng *rand.Rand) propCase {
	p := Portfolio{N: 5, Alpha: 2}
	y, _ := returnSamples(rng.Uint64(), 6, 5, 0.2)
	for j := 0; j < 6; j++ {
		for i := 0; i < 5; i++ {
			y.Set(j, i, y.At(j, i)+0.15*float64(i%3-1))
		}
	}
	return propCase{p: p, y: y, weighted: convexWeighted(p, y)}
}

// propBoxKinks projects points with entries exactly on the box's bounds:
// weakly active rows, where the projection has a kink and Differentiate
// returns the one-sided derivative on the side where the row turns slack.
func propBoxKinks(rng *rand.Rand) propCase {
	const n = 6
	v := mat.NewDense(1, n, nil)
	for i := 0; i < n; i++ {
		v.Set(0, i, []float64{0, 1, -0.5 + 2*rng.Float64()}[rng.IntN(3)])
	}
	return propCase{p: Projection(Allocation{N: n, C: 1}), y: v}
}
