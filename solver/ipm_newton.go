package solver

import "math"

// factor builds Φ = ∇²f(z) + Gᵀ diag(λ/s) G + ρAᵀA, factors it, and forms
// and factors the Schur complement A Φ⁻¹ Aᵀ of the equality rows.
//
// The term ρAᵀA (ρ = max(1, max_i H_ii), only with equalities) does not
// change the Newton direction, because A dz = −r_e is imposed anyway (the
// right-hand side gets −ρAᵀr_e), but it keeps Φ positive definite when the
// Hessian is singular in directions that only the equalities fix: without
// it, Φ's smallest eigenvalue there is the vanishing weight of the inactive
// constraints and the factorization breaks down near the optimum.
func (w *ipm) factor() error {
	w.f.hess(w.hess, w.z)
	if !w.trusted {
		if err := checkPSD(w.hess, w.n, w.work); err != nil {
			return err
		}
	}
	for i := range w.w {
		w.w[i] = w.lam[i] / w.s[i]
	}
	copy(w.phi, w.hess)
	w.G.addGramWeighted(w.phi, w.w)
	if w.p > 0 {
		w.rho = 1
		for i := 0; i < w.n; i++ {
			w.rho = max(w.rho, w.hess[i*w.n+i])
		}
		w.A.addGramWeighted(w.phi, w.rhoVec())
	}
	copy(w.work, w.phi)
	if _, ok := cholesky(w.phi, w.work, w.n); !ok {
		return errBreakdown
	}
	if w.p == 0 {
		return nil
	}
	for i := 0; i < w.p; i++ {
		row := w.ainv[i*w.n : (i+1)*w.n]
		clear(row)
		cols, vals := w.A.row(i)
		for k, c := range cols {
			row[c] = vals[k]
		}
		cholSolve(w.phi, w.n, row)
	}
	for i := 0; i < w.p; i++ {
		for j := 0; j < w.p; j++ {
			cols, vals := w.A.row(j)
			var acc float64
			for k, c := range cols {
				acc += vals[k] * w.ainv[i*w.n+c]
			}
			w.tmpp[j] = acc
		}
		copy(w.work[i*w.p:(i+1)*w.p], w.tmpp)
	}
	if _, ok := cholesky(w.schur, w.work, w.p); !ok {
		return errBreakdown
	}
	return nil
}

// solve computes the Newton direction d for the current residuals and
// complementarity right-hand side w.rc, then refines it (see refine).
func (w *ipm) solve(d step) {
	w.solveRHS(d, w.rd, w.rp, w.re, w.rc)
	w.refine(d)
}

// solveRHS solves the reduced Newton system for right-hand sides
// (rd, rp, re, rc) of
//
//	H dz + Gᵀdλ + Aᵀdν = −rd,  G dz + ds = −rp,  A dz = −re,  Λ ds + S dλ = −rc:
//
//	t  = S⁻¹(Λ rp − rc)
//	Φ dz + Aᵀdν = −rd − Gᵀt,  A dz = −re
//	ds = −rp − G dz,  dλ = t + W G dz.
func (w *ipm) solveRHS(d step, rd, rp, re, rc []float64) {
	for i := range w.tmpm {
		w.tmpm[i] = (w.lam[i]*rp[i] - rc[i]) / w.s[i]
	}
	for i := range d.z {
		d.z[i] = -rd[i]
		w.tmpn[i] = 0
	}
	w.G.mulTransAdd(w.tmpn, w.tmpm)
	if w.p > 0 {
		for i := range w.tmpp {
			w.tmpp[i] = w.rho * re[i]
		}
		w.A.mulTransAdd(w.tmpn, w.tmpp)
	}
	for i := range d.z {
		d.z[i] -= w.tmpn[i]
	}
	cholSolve(w.phi, w.n, d.z)
	if w.p > 0 {
		w.A.mulVec(d.nu, d.z)
		for i := range d.nu {
			d.nu[i] += re[i]
		}
		cholSolve(w.schur, w.p, d.nu)
		for i, dn := range d.nu {
			row := w.ainv[i*w.n : (i+1)*w.n]
			for j := range d.z {
				d.z[j] -= dn * row[j]
			}
		}
	}
	w.G.mulVec(d.s, d.z)
	for i := range d.s {
		d.lam[i] = w.tmpm[i] + w.w[i]*d.s[i]
		d.s[i] = -rp[i] - d.s[i]
	}
}

// refine applies two rounds of iterative refinement on the unreduced Newton
// system. Near the optimum W = λ/s spans many orders of magnitude and the
// reduced matrix Φ is badly conditioned; without refinement the dual
// residual stalls around 1e-9 (and can grow again), with it the iteration
// reaches rounding level.
func (w *ipm) refine(d step) {
	e, c := w.refineRes, w.refineCorr
	for round := 0; round < 2; round++ {
		rowTimesMatInto(e.z, w.hess, d.z, w.n)
		w.G.mulTransAdd(e.z, d.lam)
		w.A.mulTransAdd(e.z, d.nu)
		for i := range e.z {
			e.z[i] += w.rd[i]
		}
		w.G.mulVec(e.s, d.z)
		for i := range e.s {
			e.s[i] += d.s[i] + w.rp[i]
			e.lam[i] = w.lam[i]*d.s[i] + w.s[i]*d.lam[i] + w.rc[i]
		}
		w.A.mulVec(e.nu, d.z)
		for i := range e.nu {
			e.nu[i] += w.re[i]
		}
		w.solveRHS(c, e.z, e.s, e.nu, e.lam)
		for i := range d.z {
			d.z[i] += c.z[i]
		}
		for i := range d.s {
			d.s[i] += c.s[i]
			d.lam[i] += c.lam[i]
		}
		for i := range d.nu {
			d.nu[i] += c.nu[i]
		}
	}
}

// rhoVec returns ρ·1 over the equality rows (scratch shared with solve).
func (w *ipm) rhoVec() []float64 {
	for i := range w.rhoW {
		w.rhoW[i] = w.rho
	}
	return w.rhoW
}

// rowTimesMatInto sets dst = M v for a symmetric row-major n×n M.
func rowTimesMatInto(dst, m, v []float64, n int) {
	for i := 0; i < n; i++ {
		dst[i] = dot(m[i*n:(i+1)*n], v)
	}
}

// backtrack shrinks α until the residual norm with centring target tau
// decreases by the Armijo factor (1 − 0.01α); it reports false if no step of
// at least 2⁻⁴⁰ does.
func (w *ipm) backtrack(alpha, tau float64) (float64, bool) {
	r0 := w.meritAt(w.z, w.s, w.lam, w.nu, tau)
	for k := 0; k < 40; k++ {
		t := w.trial
		w.move(t.z, t.s, t.lam, t.nu, alpha, w.dir)
		if r := w.meritAt(t.z, t.s, t.lam, t.nu, tau); r <= (1-0.01*alpha)*r0 {
			return alpha, true
		}
		alpha /= 2
	}
	return 0, false
}

// meritAt is ‖(r_d, r_p, r_e, s∘λ − τ)‖₂ at the given point (+Inf if f or
// its gradient is not finite there). It uses tmpn and tmpm as scratch.
func (w *ipm) meritAt(z, s, lam, nu []float64, tau float64) float64 {
	if v := w.f.value(z); math.IsNaN(v) || math.IsInf(v, 0) {
		return math.Inf(1)
	}
	w.f.grad(w.tmpn, z)
	w.G.mulTransAdd(w.tmpn, lam)
	w.A.mulTransAdd(w.tmpn, nu)
	acc := dot(w.tmpn, w.tmpn)
	w.G.mulVec(w.tmpm, z)
	for i := range w.tmpm {
		r := w.tmpm[i] + s[i] - w.h[i]
		c := s[i]*lam[i] - tau
		acc += r*r + c*c
	}
	if w.p > 0 {
		for i := 0; i < w.p; i++ {
			cols, vals := w.A.row(i)
			r := -w.b[i]
			for k, c := range cols {
				r += vals[k] * z[c]
			}
			acc += r * r
		}
	}
	if math.IsNaN(acc) {
		return math.Inf(1)
	}
	return math.Sqrt(acc)
}
