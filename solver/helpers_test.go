package solver

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// boxConstraints returns lo ≤ z ≤ hi as Gz ≤ h with G = [−I; I].
func boxConstraints(lo, hi []float64) Constraints {
	n := len(lo)
	g := mat.NewDense(2*n, n, nil)
	h := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		g.Set(i, i, -1)
		g.Set(n+i, i, 1)
		h[i], h[n+i] = -lo[i], hi[i]
	}
	return Constraints{G: g, H: h}
}

// randomPSD returns a random PSD matrix of rank r (r = n: definite).
func randomPSD(rng *rand.Rand, n, r int) *mat.SymDense {
	b := mat.NewDense(n, r, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < r; j++ {
			b.Set(i, j, rng.NormFloat64())
		}
	}
	p := mat.NewSymDense(n, nil)
	p.SymOuterK(1, b)
	return p
}

// randomFeasibleQP builds a QP with m inequalities and p equalities that a
// random point satisfies, with about half the inequalities active there.
func randomFeasibleQP(rng *rand.Rand, n, m, p, rank int) QP {
	z0 := make([]float64, n)
	for i := range z0 {
		z0[i] = rng.NormFloat64()
	}
	var g *mat.Dense
	if m > 0 {
		g = mat.NewDense(m, n, nil)
	}
	h := make([]float64, m)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
		h[i] = mat.Dot(g.RowView(i), mat.NewVecDense(n, z0)) + math.Abs(rng.NormFloat64())*float64(rng.IntN(2))
	}
	qp := QP{P: randomPSD(rng, n, rank), Q: make([]float64, n), Constraints: Constraints{G: g, H: h}}
	for i := range qp.Q {
		qp.Q[i] = 3 * rng.NormFloat64()
	}
	if p > 0 {
		a := mat.NewDense(p, n, nil)
		b := make([]float64, p)
		for i := 0; i < p; i++ {
			for j := 0; j < n; j++ {
				a.Set(i, j, rng.NormFloat64())
			}
			b[i] = mat.Dot(a.RowView(i), mat.NewVecDense(n, z0))
		}
		qp.A, qp.B = a, b
	}
	return qp
}

// kktCheck recomputes the residuals of sol for min F with gradient grad.
func kktCheck(t *testing.T, grad []float64, c Constraints, sol *Solution, tol float64) {
	t.Helper()
	n := len(sol.Z)
	st := append([]float64(nil), grad...)
	if c.G != nil {
		for i := 0; i < c.Ineq(); i++ {
			gz := mat.Dot(c.G.RowView(i), mat.NewVecDense(n, sol.Z))
			if gz-c.H[i] > tol {
				t.Errorf("row %d violated by %g", i, gz-c.H[i])
			}
			if sol.Lambda[i] < 0 {
				t.Errorf("λ[%d] = %g < 0", i, sol.Lambda[i])
			}
			if math.Abs(sol.Lambda[i]*(gz-c.H[i])) > tol {
				t.Errorf("complementarity %d: λ=%g slack=%g", i, sol.Lambda[i], gz-c.H[i])
			}
			for j := 0; j < n; j++ {
				st[j] += c.G.At(i, j) * sol.Lambda[i]
			}
		}
	}
	if c.A != nil {
		for i := 0; i < c.Eq(); i++ {
			az := mat.Dot(c.A.RowView(i), mat.NewVecDense(n, sol.Z))
			if math.Abs(az-c.B[i]) > tol {
				t.Errorf("equality %d off by %g", i, az-c.B[i])
			}
			for j := 0; j < n; j++ {
				st[j] += c.A.At(i, j) * sol.Nu[i]
			}
		}
	}
	if r := normInf(st); r > tol*(1+normInf(grad)) {
		t.Errorf("stationarity residual %g", r)
	}
}

// mustPanicWith checks that f panics with an error wrapping target.
func mustPanicWith(t *testing.T, target error, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, target) {
			t.Fatalf("panic %v, want an error wrapping %v", r, target)
		}
	}()
	f()
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
