package solver

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestBatchDeterministicAcrossWorkers(t *testing.T) {
	rng := newRand(121)
	p := NewPower()
	ys := make([]*mat.Dense, 17)
	as := make([][]float64, len(ys))
	for b := range ys {
		ys[b] = loadSamples(rng, 25, 24, 0.05, 0.3)
		as[b] = randomVector(uint64(b), 24)
	}
	var ref []*Sensitivity
	var refSols []*Solution
	for _, workers := range []int{1, 2, 5} {
		sols, err := SolveBatch(context.Background(), p, ys, &Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		sens, err := DifferentiateBatch(context.Background(), p, ys, sols, as, &DiffOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref, refSols = sens, sols
			continue
		}
		for b := range sols {
			if !slices.Equal(sols[b].Z, refSols[b].Z) || !slices.Equal(sens[b].Weights, ref[b].Weights) ||
				!slices.Equal(sens[b].DY.RawMatrix().Data, ref[b].DY.RawMatrix().Data) {
				t.Fatalf("workers=%d: problem %d differs from the single-worker result", workers, b)
			}
		}
	}
}

func TestBatchReportsLowestFailure(t *testing.T) {
	ys := []*mat.Dense{mat.NewDense(2, 10, nil), mat.NewDense(2, 10, nil), mat.NewDense(2, 10, nil)}
	ys[2].Set(0, 0, math.NaN())
	ys[1].Set(1, 1, math.Inf(1))
	sols, err := SolveBatch(context.Background(), NewAllocation(), ys, nil)
	if !errors.Is(err, ErrNaN) || sols[0] == nil {
		t.Fatalf("err = %v, sols[0] = %v", err, sols[0])
	}
	if want := "problem 1 of 3"; err.Error()[:len(want)] != want {
		t.Errorf("error %q should name problem 1", err)
	}
}

func TestPool(t *testing.T) {
	a := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	b := mat.NewDense(1, 3, []float64{7, 8, 9})
	got := Pool([]*mat.Dense{a, b})
	if !slices.Equal(got.RawMatrix().Data, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("pooled %v", got.RawMatrix().Data)
	}
	mustPanicWith(t, ErrDimension, func() { Pool([]*mat.Dense{a, mat.NewDense(1, 2, nil)}) })
}

func TestRowSetsMatchConstraints(t *testing.T) {
	for _, p := range []Problem{NewAllocation(), NewPower(), NewPortfolio(1e-6), Portfolio{N: 7, Alpha: 1, UpperBounds: true}, Projection(NewPower())} {
		rs, c := problemRows(p), p.Constraints()
		want := rowsOf(c, p.Dim())
		if !slices.Equal(rs.h, want.h) || !slices.Equal(rs.b, want.b) ||
			!slices.Equal(rs.g.start, want.g.start) || !slices.Equal(rs.g.col, want.g.col) || !slices.Equal(rs.g.val, want.g.val) ||
			!slices.Equal(rs.a.start, want.a.start) || !slices.Equal(rs.a.col, want.a.col) || !slices.Equal(rs.a.val, want.a.val) {
			t.Errorf("%T: sparse rows differ from Constraints()", p)
		}
	}
}
