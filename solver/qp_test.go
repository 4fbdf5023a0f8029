package solver

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestSolveQPBoxClosedForm(t *testing.T) {
	// min ½Σ d_i z_i² + q_i z_i on [lo, hi]: z_i = clip(−q_i/d_i, lo_i, hi_i).
	d := []float64{1, 2, 0.5, 4, 1}
	q := []float64{-3, 1, -0.2, 8, 0}
	lo := []float64{-1, -1, -1, -1, -1}
	hi := []float64{1, 1, 1, 1, 1}
	p := mat.NewSymDense(5, nil)
	for i, v := range d {
		p.SetSym(i, i, v)
	}
	sol, err := SolveQP(context.Background(), QP{P: p, Q: q, Constraints: boxConstraints(lo, hi)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d {
		want := math.Max(lo[i], math.Min(hi[i], -q[i]/d[i]))
		if math.Abs(sol.Z[i]-want) > 1e-12 {
			t.Errorf("z[%d] = %.15g, want %.15g", i, sol.Z[i], want)
		}
	}
	if sol.Status != StatusExact {
		t.Errorf("status %v, want exact", sol.Status)
	}
	// Active bounds: z0 = 1 (upper, λ = 3 − 1 = 2), z3 = −1 (lower, λ = 8 − 4 = 4).
	if math.Abs(sol.Lambda[5]-2) > 1e-12 || math.Abs(sol.Lambda[3]-4) > 1e-12 {
		t.Errorf("multipliers %v", sol.Lambda)
	}
}

func TestSolveQPEqualityClosedForm(t *testing.T) {
	// min ½‖z‖² − cᵀz s.t. 1ᵀz = 1: z = c − ν1, ν = (Σc − 1)/n.
	c := []float64{0.3, -0.1, 0.7, 0.2}
	p := mat.NewSymDense(4, nil)
	for i := 0; i < 4; i++ {
		p.SetSym(i, i, 1)
	}
	q := []float64{-0.3, 0.1, -0.7, -0.2}
	a := mat.NewDense(1, 4, []float64{1, 1, 1, 1})
	sol, err := SolveQP(context.Background(), QP{P: p, Q: q, Constraints: Constraints{A: a, B: []float64{1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	nu := (0.3 - 0.1 + 0.7 + 0.2 - 1) / 4
	for i := range c {
		if math.Abs(sol.Z[i]-(c[i]-nu)) > 1e-12 {
			t.Errorf("z = %v", sol.Z)
		}
	}
	if math.Abs(sol.Nu[0]-nu) > 1e-12 {
		t.Errorf("ν = %g, want %g", sol.Nu[0], nu)
	}
}

func TestSolveQPRandomKKT(t *testing.T) {
	rng := newRand(1)
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(12)
		m := rng.IntN(3 * n)
		p := rng.IntN(n / 2)
		rank := 1 + rng.IntN(n)
		qp := randomFeasibleQP(rng, n, m, p, rank)
		// Bounded: add a box so that rank-deficient P cannot be unbounded.
		box := boxConstraints(filled(n, -5), filled(n, 5))
		if m > 0 {
			var g mat.Dense
			g.Stack(qp.G, box.G)
			qp.G, qp.H = &g, append(append([]float64(nil), qp.H...), box.H...)
		} else {
			qp.G, qp.H = box.G, box.H
		}
		sol, err := SolveQP(context.Background(), qp, nil)
		if err != nil {
			t.Fatalf("trial %d (n=%d m=%d p=%d rank=%d): %v", trial, n, m, p, rank, err)
		}
		grad := make([]float64, n)
		var pz mat.VecDense
		pz.MulVec(qp.P, mat.NewVecDense(n, sol.Z))
		for i := range grad {
			grad[i] = pz.AtVec(i) + qp.Q[i]
		}
		kktCheck(t, grad, qp.Constraints, sol, 1e-9*(1+normInf(qp.H)))
	}
}

func filled(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestSolveQPErrors(t *testing.T) {
	ctx := context.Background()
	eye := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	cases := []struct {
		name string
		qp   QP
		opts *Options
		want error
	}{
		{"nan", QP{P: eye, Q: []float64{math.NaN(), 0}}, nil, ErrNaN},
		{"inf-h", QP{P: eye, Q: []float64{0, 0}, Constraints: Constraints{G: mat.NewDense(1, 2, []float64{1, 0}), H: []float64{math.Inf(1)}}}, nil, ErrNaN},
		{"indefinite", QP{P: mat.NewSymDense(2, []float64{1, 0, 0, -1}), Q: []float64{0, 0}}, nil, ErrNotConvex},
		{"infeasible-box", QP{P: eye, Q: []float64{0, 0}, Constraints: boxConstraints([]float64{1, 0}, []float64{0, 1})}, nil, ErrInfeasible},
		{"infeasible-eq", QP{P: eye, Q: []float64{0, 0}, Constraints: Constraints{A: mat.NewDense(2, 2, []float64{1, 1, 2, 2}), B: []float64{1, 3}}}, nil, ErrInfeasible},
		{"unbounded-lp", QP{Q: []float64{-1, 0}, Constraints: Constraints{G: mat.NewDense(1, 2, []float64{0, 1}), H: []float64{1}}}, nil, ErrUnbounded},
		{"no-convergence", QP{P: eye, Q: []float64{-3, 1}, Constraints: boxConstraints([]float64{-1, -1}, []float64{1, 1})}, &Options{MaxIter: 1, NoPolish: true}, ErrNoConvergence},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SolveQP(ctx, tc.qp, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	mustPanicWith(t, ErrDimension, func() { SolveQP(ctx, QP{P: eye, Q: []float64{1, 2, 3}}, nil) })
	mustPanicWith(t, ErrDimension, func() {
		SolveQP(ctx, QP{P: eye, Q: []float64{1, 2}, Constraints: Constraints{G: mat.NewDense(1, 3, nil), H: []float64{0}}}, nil)
	})
}

// checkPSD decides definiteness relative to the matrix's scale, also for
// norms where LAPACK would rescale internally (gonum's Dsterf panics there).
func TestCheckPSDExtremeScales(t *testing.T) {
	for _, s := range []float64{1e-200, 1, 1e200} {
		work := make([]float64, 9)
		psd := []float64{s, s, 0, s, s, 0, 0, 0, 2 * s} // eigenvalues 0, 2s, 2s
		if err := checkPSD(psd, 3, work); err != nil {
			t.Errorf("scale %g: PSD matrix rejected: %v", s, err)
		}
		indef := []float64{s, 0, 0, 0, -s, 0, 0, 0, s}
		if err := checkPSD(indef, 3, work); !errors.Is(err, ErrNotConvex) {
			t.Errorf("scale %g: indefinite matrix: err = %v, want ErrNotConvex", s, err)
		}
	}
	if err := checkPSD([]float64{math.Inf(1), 0, 0, 1}, 2, make([]float64, 4)); !errors.Is(err, ErrNaN) {
		t.Errorf("infinite entry: err = %v, want ErrNaN", err)
	}
}
