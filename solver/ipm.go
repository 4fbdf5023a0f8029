package solver

import (
	"context"
	"errors"
	"math"
)

// objective is what the interior-point engine minimises.
type objective interface {
	value(z []float64) float64
	grad(dst, z []float64)
	// hess sets dst, row-major n×n with both triangles, to ∇²f(z).
	hess(dst, z []float64)
}

// Internal failure modes of the engine; the public entry points turn them
// into sentinel errors after diagnosing infeasibility or unboundedness.
var (
	errMaxIter   = errors.New("iteration limit")
	errBreakdown = errors.New("numerical breakdown")
)

// ipm is a dense primal–dual interior-point method for
//
//	min f(z)  s.t.  Gz + s = h, s ≥ 0,  Az = b
//
// with Mehrotra's predictor–corrector (Nocedal & Wright §16.6). Each Newton
// system is reduced to (H + GᵀWG) dz + Aᵀdν = r, A dz = −r_e with
// W = diag(λ/s), solved by Cholesky and a Schur complement on the (few)
// equality rows. For a quadratic f the directions are exact; otherwise the
// corrector term is dropped and the step backtracks on the residual norm
// (Boyd & Vandenberghe §11.7.3), which makes the method globally convergent
// for smooth convex f.
type ipm struct {
	n, m, p   int
	f         objective
	quadratic bool // directions exact: corrector, no line search
	trusted   bool // Hessian known to be PSD: skip the convexity check
	absGap    bool // gap sᵀλ measured absolutely (f a logarithm, see measure)
	G, A      sparseRows
	h, b      []float64
	tol       float64
	maxIter   int
	iters     int

	z, s, lam, nu         []float64
	g, rd, rp, re         []float64
	gtl                   []float64 // Gᵀλ + Aᵀν
	hess, phi, work       []float64 // n×n
	ainv, schur           []float64 // p×n rows Φ⁻¹a_i, p×p Schur complement
	w, rc, tmpm           []float64 // m
	tmpn, tmpp            []float64
	rho                   float64   // augmented-Lagrangian weight of AᵀA in Φ
	rhoW                  []float64 // ρ·1, p entries
	aff, dir, trial       step
	refineRes, refineCorr step // residual and correction of iterative refinement
	hScale, bScale        float64
}

// step is a search direction, or a trial point, in all variables.
type step struct{ z, s, lam, nu []float64 }

func newStep(n, m, p int) step {
	return step{make([]float64, n), make([]float64, m), make([]float64, m), make([]float64, p)}
}

func newIPM(f objective, n int, G, A sparseRows, h, b []float64, tol float64, maxIter int) *ipm {
	m, p := len(h), len(b)
	w := &ipm{n: n, m: m, p: p, f: f, G: G, A: A, h: h, b: b, tol: tol, maxIter: maxIter}
	w.z, w.s, w.lam, w.nu = make([]float64, n), make([]float64, m), make([]float64, m), make([]float64, p)
	w.g, w.rd, w.gtl, w.tmpn = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	w.rp, w.w, w.rc, w.tmpm = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
	w.re, w.tmpp, w.rhoW = make([]float64, p), make([]float64, p), make([]float64, p)
	w.hess, w.phi, w.work = make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	w.ainv, w.schur = make([]float64, p*n), make([]float64, p*p)
	w.aff, w.dir, w.trial = newStep(n, m, p), newStep(n, m, p), newStep(n, m, p)
	w.refineRes, w.refineCorr = newStep(n, m, p), newStep(n, m, p)
	w.hScale, w.bScale = 1+normInf(h), 1+normInf(b)
	return w
}

// start sets the initial point: z0, slacks max(h − Gz0, 1), λ = 1, ν = 0.
func (w *ipm) start(z0 []float64) {
	copy(w.z, z0)
	w.G.mulVec(w.s, w.z)
	for i := range w.s {
		w.s[i] = max(w.h[i]-w.s[i], 1)
		w.lam[i] = 1
	}
	clear(w.nu)
}

// run iterates from z0 until convergence. It returns nil, errMaxIter,
// errBreakdown, an ErrNotConvex error or the context's error. On failure the
// current point is reset to the best iterate seen (smallest KKT measure), so
// that the caller can still try to polish it; an iteration that has not
// improved on its best for 15 iterations stops early (errMaxIter).
func (w *ipm) run(ctx context.Context, z0 []float64) error {
	w.start(z0)
	zScale := 1 + normInf(z0)
	best, bestIter := math.Inf(1), 0
	snap := newStep(w.n, w.m, w.p)
	defer func() {
		if !math.IsInf(best, 1) {
			copy(w.z, snap.z)
			copy(w.s, snap.s)
			copy(w.lam, snap.lam)
			copy(w.nu, snap.nu)
		}
	}()
	for w.iters = 0; ; w.iters++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		fval := w.residuals()
		if !w.finite(fval) || normInf(w.z) > 1e14*zScale || normInf(w.lam) > 1e14*(1+normInf(w.g)) {
			return errBreakdown
		}
		if m := w.measure(fval); m < best {
			best, bestIter = m, w.iters
			copy(snap.z, w.z)
			copy(snap.s, w.s)
			copy(snap.lam, w.lam)
			copy(snap.nu, w.nu)
		}
		if best <= w.tol {
			return nil
		}
		if w.iters >= w.maxIter || w.iters-bestIter > 15 {
			return errMaxIter
		}
		if err := w.factor(); err != nil {
			return err
		}
		if err := w.iterate(); err != nil {
			return err
		}
	}
}

// residuals evaluates ∇f and the residuals at the current point; returns f(z).
func (w *ipm) residuals() float64 {
	w.f.grad(w.g, w.z)
	clear(w.gtl)
	w.G.mulTransAdd(w.gtl, w.lam)
	w.A.mulTransAdd(w.gtl, w.nu)
	for i := range w.rd {
		w.rd[i] = w.g[i] + w.gtl[i]
	}
	w.G.mulVec(w.rp, w.z)
	for i := range w.rp {
		w.rp[i] += w.s[i] - w.h[i]
	}
	w.A.mulVec(w.re, w.z)
	for i := range w.re {
		w.re[i] -= w.b[i]
	}
	return w.f.value(w.z)
}

func (w *ipm) finite(fval float64) bool {
	if math.IsNaN(fval) || math.IsInf(fval, 0) {
		return false
	}
	for _, x := range [][]float64{w.z, w.s, w.lam, w.nu, w.rd} {
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// measure is the relative KKT measure compared with Options.Tol: the largest
// of the primal residual over 1 + ‖h‖ (or 1 + ‖b‖), the dual residual over
// 1 + max(‖∇f‖, ‖Gᵀλ + Aᵀν‖) and the gap sᵀλ over 1 + |f|. With absGap
// (f = log F) the gap is not divided: an absolute gap in log F is a
// relative one in F, whatever F's size.
func (w *ipm) measure(fval float64) float64 {
	pres := max(normInf(w.rp)/w.hScale, normInf(w.re)/w.bScale)
	dres := normInf(w.rd) / (1 + max(normInf(w.g), normInf(w.gtl)))
	gap := dot(w.s, w.lam)
	if !w.absGap {
		gap /= 1 + math.Abs(fval)
	}
	return max(pres, dres, gap)
}

// mu is the average complementarity sᵀλ/m.
func (w *ipm) mu() float64 {
	if w.m == 0 {
		return 0
	}
	return dot(w.s, w.lam) / float64(w.m)
}

// iterate computes the predictor and corrector directions and takes the step.
func (w *ipm) iterate() error {
	mu := w.mu()
	for i := range w.rc {
		w.rc[i] = w.s[i] * w.lam[i]
	}
	w.solve(w.aff)
	sigma := 0.0
	if w.m > 0 {
		alpha := min(1, w.maxStep(w.aff))
		var muAff float64
		for i := range w.s {
			muAff += (w.s[i] + alpha*w.aff.s[i]) * (w.lam[i] + alpha*w.aff.lam[i])
		}
		muAff /= float64(w.m)
		sigma = math.Pow(muAff/mu, 3)
	}
	for i := range w.rc {
		w.rc[i] = w.s[i]*w.lam[i] - sigma*mu
		if w.quadratic {
			w.rc[i] += w.aff.s[i] * w.aff.lam[i]
		}
	}
	w.solve(w.dir)
	alpha := min(1, 0.995*w.maxStep(w.dir))
	if !w.quadratic {
		var ok bool
		if alpha, ok = w.backtrack(alpha, sigma*mu); !ok {
			return errBreakdown
		}
	}
	w.move(w.z, w.s, w.lam, w.nu, alpha, w.dir)
	return nil
}

// move sets (z, s, λ, ν) = current point + α·d.
func (w *ipm) move(z, s, lam, nu []float64, alpha float64, d step) {
	for i := range z {
		z[i] = w.z[i] + alpha*d.z[i]
	}
	for i := range s {
		s[i] = w.s[i] + alpha*d.s[i]
		lam[i] = w.lam[i] + alpha*d.lam[i]
	}
	for i := range nu {
		nu[i] = w.nu[i] + alpha*d.nu[i]
	}
}

// maxStep is the largest α keeping s + α ds ≥ 0 and λ + α dλ ≥ 0 (≤ 1e30).
func (w *ipm) maxStep(d step) float64 {
	alpha := 1e30
	for i := range w.s {
		if d.s[i] < 0 {
			alpha = min(alpha, -w.s[i]/d.s[i])
		}
		if d.lam[i] < 0 {
			alpha = min(alpha, -w.lam[i]/d.lam[i])
		}
	}
	return alpha
}
