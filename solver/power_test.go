package solver

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// loadSamples draws M daily load curves around a smooth profile, with
// per-sample noise sd; jump adds random hour-to-hour steps that make ramps bind.
func loadSamples(rng *rand.Rand, m, n int, sd, jump float64) *mat.Dense {
	y := mat.NewDense(m, n, nil)
	for s := 0; s < m; s++ {
		for h := 0; h < n; h++ {
			v := 1.6 + 0.4*math.Sin(2*math.Pi*float64(h)/24) + sd*rng.NormFloat64()
			if jump > 0 && rng.Float64() < 0.3 {
				v += jump * rng.NormFloat64()
			}
			y.Set(s, h, v)
		}
	}
	return y
}

func TestPowerNoRampIsColumnMax(t *testing.T) {
	rng := newRand(11)
	p := NewPower()
	y := loadSamples(rng, 25, 24, 0.03, 0)
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sol.Kinks) != 24 {
		t.Fatalf("%d kinks, want every hour pinned", len(sol.Kinks))
	}
	for h := 0; h < 24; h++ {
		col := mat.Col(nil, h, y)
		best := 0
		for s, v := range col {
			if v > col[best] {
				best = s
			}
		}
		if sol.Z[h] != col[best] {
			t.Errorf("hour %d: z = %v, want max sample %v exactly", h, sol.Z[h], col[best])
		}
		if k := sol.Kinks[h]; k.Coord != h || k.Sample != best {
			t.Errorf("hour %d: kink %+v, want sample %d", h, k, best)
		}
	}
	for _, l := range sol.Lambda {
		if l != 0 {
			t.Fatalf("ramp multipliers %v, want none active", sol.Lambda)
		}
	}
}

func TestPowerBindingRampByHand(t *testing.T) {
	// One sample y = (0, 1), ramp 0.4: the optimum keeps hour 2 on its sample
	// and over-generates in hour 1, z = (0.6, 1); stationarity gives the up
	// ramp multiplier φ'(0.6) = 0.6 + γo = 1.1.
	p := Power{N: 2, GammaU: 50, GammaO: 0.5, Ramp: 0.4}
	sol, err := Solve(context.Background(), p, mat.NewDense(1, 2, []float64{0, 1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sol.Z[0]-0.6) > 1e-15 || sol.Z[1] != 1 {
		t.Fatalf("z = %v, want (0.6, 1)", sol.Z)
	}
	if math.Abs(sol.Lambda[0]-1.1) > 1e-14 || sol.Lambda[1] != 0 {
		t.Fatalf("λ = %v, want (1.1, 0)", sol.Lambda)
	}
	if len(sol.Kinks) != 1 || sol.Kinks[0] != (Kink{Coord: 1, Sample: 0}) {
		t.Fatalf("kinks %v", sol.Kinks)
	}
}

// epigraphQP writes the power SAA problem as a QP over (z, u, o) with
// u_sh ≥ (y_sh − z_h)⁺ and o_sh ≥ (z_h − y_sh)⁺ (how CVXPY poses it).
func epigraphQP(p Power, y *mat.Dense) QP {
	m, _ := y.Dims()
	return weightedEpigraphQP(p, y, filled(m, 1))
}

// weightedEpigraphQP is the power SAA problem with sample weights ω_s,
// (1/M) Σ_s ω_s f(y_s, z), as a QP in z and the epigraph variables
// u_sh ≥ (y_sh − z_h)⁺, o_sh ≥ (z_h − y_sh)⁺.
func weightedEpigraphQP(p Power, y *mat.Dense, omega []float64) QP {
	m, n := y.Dims()
	nv := n + 2*m*n
	u := func(s, h int) int { return n + s*n + h }
	o := func(s, h int) int { return n + m*n + s*n + h }
	P := mat.NewSymDense(nv, nil)
	q := make([]float64, nv)
	for h := 0; h < n; h++ {
		for s := 0; s < m; s++ {
			w := omega[s] / float64(m)
			P.SetSym(h, h, P.At(h, h)+w)
			q[h] -= w * y.At(s, h)
			q[u(s, h)] = p.GammaU * w
			q[o(s, h)] = p.GammaO * w
		}
	}
	var rows [][]float64
	var rhs []float64
	add := func(entries map[int]float64, b float64) {
		row := make([]float64, nv)
		for j, v := range entries {
			row[j] = v
		}
		rows, rhs = append(rows, row), append(rhs, b)
	}
	for s := 0; s < m; s++ {
		for h := 0; h < n; h++ {
			add(map[int]float64{u(s, h): -1}, 0)
			add(map[int]float64{o(s, h): -1}, 0)
			add(map[int]float64{h: -1, u(s, h): -1}, -y.At(s, h))
			add(map[int]float64{h: 1, o(s, h): -1}, y.At(s, h))
		}
	}
	for h := 0; h+1 < n; h++ {
		add(map[int]float64{h: -1, h + 1: 1}, p.Ramp)
	}
	for h := 0; h+1 < n; h++ {
		add(map[int]float64{h: 1, h + 1: -1}, p.Ramp)
	}
	return QP{P: P, Q: q, Constraints: Constraints{G: mat.NewDense(len(rows), nv, flatten(rows)), H: rhs}}
}

func TestPowerMatchesEpigraphQP(t *testing.T) {
	rng := newRand(12)
	p := NewPower()
	for trial := 0; trial < 12; trial++ {
		m := 1 + rng.IntN(4)
		y := loadSamples(rng, m, 24, 0.05, 0.5)
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := SolveQP(context.Background(), epigraphQP(p, y), nil)
		if err != nil {
			t.Fatalf("trial %d epigraph: %v", trial, err)
		}
		if d := maxAbsDiff(sol.Z, ref.Z[:24]); d > 1e-7 {
			t.Errorf("trial %d (M=%d): |z − z_QP| = %g", trial, m, d)
		}
		// Ramp multipliers are the QP's last 46 inequality multipliers.
		if d := maxAbsDiff(sol.Lambda, ref.Lambda[len(ref.Lambda)-46:]); d > 1e-6*(1+normInf(sol.Lambda)) {
			t.Errorf("trial %d: multipliers differ by %g", trial, d)
		}
	}
}

func TestPowerRandomKKT(t *testing.T) {
	rng := newRand(13)
	p := NewPower()
	active := 0
	for trial := 0; trial < 300; trial++ {
		m := 1 + rng.IntN(30)
		y := loadSamples(rng, m, 24, 0.02+0.3*rng.Float64(), rng.Float64())
		sol, err := Solve(context.Background(), p, y, nil)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if r := sol.Residuals.Max(); r > 1e-10 {
			t.Errorf("trial %d: residuals %+v", trial, sol.Residuals)
		}
		if normInf(sol.Lambda) > 0 {
			active++
		}
	}
	if active < 100 {
		t.Errorf("only %d of 300 instances had an active ramp: test too easy", active)
	}
}

func TestPowerErrors(t *testing.T) {
	ctx := context.Background()
	y := mat.NewDense(3, 24, nil)
	for _, tc := range []struct {
		p    Power
		want error
	}{
		{Power{N: 24, GammaU: -1, GammaO: 0.5, Ramp: 0.4}, ErrNotConvex},
		{Power{N: 24, GammaU: 50, GammaO: 0.5, Ramp: -0.1}, ErrInfeasible},
		{Power{N: 24, GammaU: math.NaN(), GammaO: 0.5, Ramp: 0.4}, ErrNaN},
	} {
		if _, err := Solve(ctx, tc.p, y, nil); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.p, err, tc.want)
		}
	}
}
