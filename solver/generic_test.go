package solver

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// expQuad is a Problem defined outside the package's built-ins, exercising
// the generic paths (Solve through the interior point, the dense Mixed):
//
//	f(y, z) = ½ Σ_i w_i (z_i − y_i)² + exp(yᵀz/n),  z ≥ 0, 1ᵀz = 1.
type expQuad struct{ w []float64 }

func (q expQuad) Dim() int { return len(q.w) }
func (q expQuad) e(y, z []float64) float64 {
	return math.Exp(dot(y, z) / float64(len(q.w)))
}
func (q expQuad) Cost(y, z []float64) float64 {
	acc := q.e(y, z)
	for i, w := range q.w {
		acc += 0.5 * w * (z[i] - y[i]) * (z[i] - y[i])
	}
	return acc
}
func (q expQuad) Grad(dst, y, z []float64) {
	e, n := q.e(y, z), float64(len(q.w))
	for i, w := range q.w {
		dst[i] = w*(z[i]-y[i]) + y[i]*e/n
	}
}
func (q expQuad) Hess(dst *mat.SymDense, y, z []float64) {
	e, n := q.e(y, z), float64(len(q.w))
	for i := range q.w {
		for k := i; k < len(q.w); k++ {
			v := y[i] * y[k] * e / (n * n)
			if i == k {
				v += q.w[i]
			}
			dst.SetSym(i, k, v)
		}
	}
}
func (q expQuad) Mixed(dst *mat.Dense, y, z []float64) {
	e, n := q.e(y, z), float64(len(q.w))
	for i := range q.w {
		for k := range q.w {
			v := y[i] * z[k] * e / (n * n)
			if i == k {
				v += -q.w[i] + e/n
			}
			dst.Set(i, k, v)
		}
	}
}
func (q expQuad) Constraints() Constraints {
	n := len(q.w)
	c := boxRows(make([]float64, n), filled(n, math.Inf(1)))
	c.G = mat.DenseCopyOf(c.G.Slice(0, n, 0, n))
	c.H = c.H[:n]
	c.A, c.B = mat.NewDense(1, n, filled(n, 1)), []float64{1}
	return c
}

func TestGenericProblemDerivatives(t *testing.T) {
	rng := newRand(131)
	p := expQuad{w: []float64{1, 2, 0.5, 1.5, 1}}
	y := mat.NewDense(6, 5, nil)
	for j := 0; j < 6; j++ {
		for i := 0; i < 5; i++ {
			y.Set(j, i, 0.3+0.4*rng.NormFloat64())
		}
		y.Set(j, 2, -1+0.1*rng.NormFloat64()) // pushes z_2 onto its bound
	}
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, 5)
	newSAAObjective(p, y).grad(grad, sol.Z)
	kktCheck(t, grad, p.Constraints(), sol, 1e-9)
	if sol.Status != StatusExact || countPositive(sol.Lambda) == 0 {
		t.Fatalf("want a polished solution with an active bound: %v, λ = %v", sol.Status, sol.Lambda)
	}
	checkDYFiniteDifferences(t, p, y, randomVector(8, 5), 1e-6, 1e-6)
}

func TestSolveConvexErrors(t *testing.T) {
	ctx := context.Background()
	box := boxConstraints([]float64{-1, -1}, []float64{1, 1})
	concave := funcObjective{n: 2, f: func(z []float64) float64 { return -dot(z, z) },
		g: func(d, z []float64) { d[0], d[1] = -2*z[0], -2*z[1] }, h: -2}
	if _, err := SolveConvex(ctx, concave, box, nil, nil); !errors.Is(err, ErrNotConvex) {
		t.Errorf("concave: %v", err)
	}
	linear := funcObjective{n: 2, f: func(z []float64) float64 { return -z[0] },
		g: func(d, z []float64) { d[0], d[1] = -1, 0 }}
	if _, err := SolveConvex(ctx, linear, Constraints{}, nil, nil); !errors.Is(err, ErrUnbounded) {
		t.Errorf("linear without constraints: %v", err)
	}
	bowl := funcObjective{n: 2, f: func(z []float64) float64 { return dot(z, z) },
		g: func(d, z []float64) { d[0], d[1] = 2*z[0], 2*z[1] }, h: 2}
	empty := boxConstraints([]float64{1, 0}, []float64{0, 1})
	if _, err := SolveConvex(ctx, bowl, empty, nil, nil); !errors.Is(err, ErrInfeasible) {
		t.Errorf("empty box: %v", err)
	}
	if _, err := SolveConvex(ctx, bowl, box, []float64{0.5, 0.5}, &Options{MaxIter: 1, NoPolish: true}); !errors.Is(err, ErrNoConvergence) {
		t.Errorf("one iteration: %v", err)
	}
	if _, err := SolveConvex(ctx, bowl, box, []float64{math.NaN(), 0}, nil); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN start: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := SolveConvex(cancelled, bowl, box, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	mustPanicWith(t, ErrDimension, func() { SolveConvex(ctx, bowl, box, []float64{1}, nil) })
}

// funcObjective is an Objective from closures with a constant diagonal Hessian h.
type funcObjective struct {
	n int
	f func([]float64) float64
	g func(dst, z []float64)
	h float64
}

func (o funcObjective) Dim() int                  { return o.n }
func (o funcObjective) Value(z []float64) float64 { return o.f(z) }
func (o funcObjective) Grad(dst, z []float64)     { o.g(dst, z) }
func (o funcObjective) Hess(dst *mat.SymDense, _ []float64) {
	dst.Zero()
	for i := 0; i < o.n; i++ {
		dst.SetSym(i, i, o.h)
	}
}

func TestDifferentiateErrors(t *testing.T) {
	y := loadLikeAllocation(141, 4)
	p := NewAllocation()
	sol, _ := Solve(context.Background(), p, y, nil)
	a := make([]float64, 10)
	a[3] = math.NaN()
	if _, err := Differentiate(p, y, sol, a, nil); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN upstream gradient: %v", err)
	}
	mustPanicWith(t, ErrDimension, func() { Differentiate(p, y, sol, make([]float64, 9), nil) })
	mustPanicWith(t, ErrDimension, func() { Differentiate(p, y, sol, make([]float64, 10), &DiffOptions{Group: 3}) })
	mustPanicWith(t, ErrDimension, func() { Project(context.Background(), p, make([]float64, 3), nil) })
}
