package solver

import "math"

// kktPoint is a primal–dual point (z, λ, ν) of min f s.t. Gz ≤ h, Az = b.
type kktPoint struct {
	z, lam, nu []float64
}

// activeRows lists the equality rows, then the inequality rows that the
// interior-point iterate marks active (λ_i/(1 + max(‖λ‖, ‖∇f‖)) > s_i/(1 + ‖h‖)),
// dropping rows
// that are linearly dependent on rows listed before them. Dropped rows get
// zero multipliers: this is the convention at degenerate vertices
// (portfolio.md §2.3), where equalities and lower-index rows take the
// multiplier.
func (w *ipm) activeRows() (rb *rowBasis, eq, ineq []int, rhs []float64) {
	rb = &rowBasis{n: w.n}
	row := make([]float64, w.n)
	load := func(s *sparseRows, i int) []float64 {
		clear(row)
		cols, vals := s.row(i)
		for k, c := range cols {
			row[c] = vals[k]
		}
		return row
	}
	for i := 0; i < w.p; i++ {
		if rb.add(load(&w.A, i), 1e-9) {
			eq = append(eq, i)
			rhs = append(rhs, w.b[i])
		}
	}
	// The scales are those of the stopping test: when nothing is active all
	// λ are tiny, and the largest of them must not look active.
	lscale, sscale := 1+max(normInf(w.lam), normInf(w.g)), w.hScale
	for i := 0; i < w.m; i++ {
		if w.lam[i]/lscale > w.s[i]/sscale && rb.add(load(&w.G, i), 1e-9) {
			ineq = append(ineq, i)
			rhs = append(rhs, w.h[i])
		}
	}
	return rb, eq, ineq, rhs
}

// polish solves min f(z) s.t. (active rows) = rhs by Newton's method in the
// null space of the active rows, starting from the interior-point iterate,
// and recovers the multipliers by least squares. It returns false if the
// reduced Hessian is not positive definite (non-unique optimum) or if the
// result fails the KKT test at tolerance tol (wrong active set).
func (w *ipm) polish() (kktPoint, bool) {
	rb, eq, ineq, rhs := w.activeRows()
	k := len(rhs)
	z := append([]float64(nil), w.z...)
	resid := make([]float64, k)
	w.rowsTimes(resid, eq, ineq, z)
	for i := range resid {
		resid[i] = rhs[i] - resid[i]
	}
	delta := make([]float64, w.n)
	rb.correction(delta, resid)
	for i := range z {
		z[i] += delta[i]
	}
	w.snapBounds(z, ineq)
	if !w.newtonNullSpace(z, rb.nullBasis()) {
		return kktPoint{}, false
	}
	w.snapBounds(z, ineq)
	g := make([]float64, w.n)
	w.f.grad(g, z)
	mu := make([]float64, k)
	rb.multipliers(mu, g)
	pt := kktPoint{z: z, lam: make([]float64, w.m), nu: make([]float64, w.p)}
	for j, i := range eq {
		pt.nu[i] = mu[j]
	}
	for j, i := range ineq {
		pt.lam[i] = mu[len(eq)+j]
	}
	return pt, w.acceptable(pt, g)
}

// rowsTimes sets dst to the listed equality rows, then inequality rows, times z.
func (w *ipm) rowsTimes(dst []float64, eq, ineq []int, z []float64) {
	for j, i := range eq {
		cols, vals := w.A.row(i)
		dst[j] = sparseDot(cols, vals, z)
	}
	for j, i := range ineq {
		cols, vals := w.G.row(i)
		dst[len(eq)+j] = sparseDot(cols, vals, z)
	}
}

func sparseDot(cols []int, vals, z []float64) float64 {
	var acc float64
	for k, c := range cols {
		acc += vals[k] * z[c]
	}
	return acc
}

// snapBounds puts z exactly on active single-variable bounds, so that the
// slack of such a row is exactly zero (clean KKT matrices downstream).
func (w *ipm) snapBounds(z []float64, ineq []int) {
	for _, i := range ineq {
		if cols, vals := w.G.row(i); len(cols) == 1 {
			z[cols[0]] = w.h[i] / vals[0]
		}
	}
}

// newtonNullSpace minimises f over z + span(Zᵀ) by damped Newton steps.
func (w *ipm) newtonNullSpace(z []float64, basis [][]float64) bool {
	r := len(basis)
	if r == 0 {
		return true
	}
	g, dz := make([]float64, w.n), make([]float64, w.n)
	gr, hr, fac := make([]float64, r), make([]float64, r*r), make([]float64, r*r)
	hz := make([]float64, r*w.n)
	for it := 0; it < 50; it++ {
		w.f.grad(g, z)
		w.f.hess(w.hess, z)
		for a := 0; a < r; a++ {
			gr[a] = -dot(basis[a], g)
			rowTimesMat(hz[a*w.n:(a+1)*w.n], basis[a], w.hess, w.n)
		}
		for a := 0; a < r; a++ {
			for c := 0; c < r; c++ {
				hr[a*r+c] = dot(hz[a*w.n:(a+1)*w.n], basis[c])
			}
		}
		if delta, ok := cholesky(fac, hr, r); !ok || delta != 0 || !wellConditioned(fac, r) {
			return false
		}
		cholSolve(fac, r, gr)
		clear(dz)
		for a := 0; a < r; a++ {
			for i := range dz {
				dz[i] += gr[a] * basis[a][i]
			}
		}
		if !w.dampedStep(z, dz) {
			return false
		}
		if normInf(dz) <= 1e-15*(1+normInf(z)) || (w.quadratic && it >= 1) {
			return true
		}
	}
	return false
}

// wellConditioned rejects reduced Hessians whose Cholesky factor has a
// diagonal ratio beyond 1e7 (condition beyond ~1e14): such an optimum is
// numerically non-unique and the interior-point iterate is kept instead.
func wellConditioned(fac []float64, r int) bool {
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < r; i++ {
		d := math.Abs(fac[i*r+i])
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo > 1e-7*hi
}

// rowTimesMat sets dst = vᵀ M for a row-major n×n M.
func rowTimesMat(dst, v, m []float64, n int) {
	clear(dst)
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		row := m[i*n : (i+1)*n]
		for j := range dst {
			dst[j] += vi * row[j]
		}
	}
}

// dampedStep adds t·dz to z with the largest t ∈ {1, ½, …} that does not
// increase f (quadratic f: always the full step).
func (w *ipm) dampedStep(z, dz []float64) bool {
	f0 := w.f.value(z)
	trial := w.tmpn
	for t := 1.0; t > 1e-6; t /= 2 {
		for i := range z {
			trial[i] = z[i] + t*dz[i]
		}
		if f := w.f.value(trial); w.quadratic || f <= f0+1e-14*(1+math.Abs(f0)) {
			copy(z, trial)
			return true
		}
	}
	return false
}

// residualsOf computes the KKT residuals of pt, with g = ∇f(pt.z).
func (w *ipm) residualsOf(pt kktPoint, g []float64) Residuals {
	return kktResiduals(rowSet{g: w.G, a: w.A, h: w.h, b: w.b}, g, pt.z, pt.lam, pt.nu)
}

// acceptable applies the KKT test at tolerance tol to a polished point and
// clears multipliers that are negative only by rounding.
func (w *ipm) acceptable(pt kktPoint, g []float64) bool {
	gScale := 1 + normInf(g)
	r := w.residualsOf(pt, g)
	if r.Stationarity > w.tol*gScale || r.Primal > w.tol*min(w.hScale, w.bScale) ||
		r.DualSign > w.tol*gScale || r.Complementarity > w.tol*gScale*w.hScale {
		return false
	}
	for i, l := range pt.lam {
		pt.lam[i] = max(l, 0)
	}
	return true
}

// solution packages the current iterate, polished if asked and possible.
func (w *ipm) solution(polish bool) *Solution {
	pt := kktPoint{z: w.z, lam: w.lam, nu: w.nu}
	status := StatusOptimal
	if polish {
		if p, ok := w.polish(); ok {
			pt, status = p, StatusExact
		}
	}
	g := make([]float64, w.n)
	w.f.grad(g, pt.z)
	return &Solution{
		Z:          append([]float64(nil), pt.z...),
		Lambda:     append([]float64(nil), pt.lam...),
		Nu:         append([]float64(nil), pt.nu...),
		Objective:  w.f.value(pt.z),
		Status:     status,
		Iterations: w.iters,
		Residuals:  w.residualsOf(pt, g),
	}
}
