package solver

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// KKTInfo describes how one KKT system was built and factored.
type KKTInfo struct {
	// Size is the order of the reduced system actually factored: free
	// coordinates, active rows that are not bounds, equalities (see
	// Differentiate).
	Size int
	// Active is the number of inequality rows with λ_i > 0. Rows with λ_i = 0
	// are decoupled from z (their row reads s_i dλ_i = 0) and are left out;
	// WeaklyActive counts those among them with zero slack, which would make
	// K singular and are thereby treated as inactive.
	Active, WeaklyActive int
	// Fixed is the number of coordinates eliminated because an active bound
	// or a pin holds them (their adjoint component is zero).
	Fixed int
	// Pins is the number of kink equalities z_h = y_sh (power).
	Pins int
	// Smooth is DiffOptions.Smooth.
	Smooth float64
	// Ridge is the diagonal regularization that was added: DiffOptions.Ridge
	// (reference style, +Ridge on every diagonal entry of K) plus, if Auto,
	// the automatic δ (+δ on the z block, −δ on the constraint blocks of the
	// reduced system).
	Ridge float64
	// Auto reports that the system was singular or had condition number
	// above DiffOptions.CondLimit even with OneSided, so δ was added (see
	// kktSystem.regularize for the bound this puts on the result).
	Auto bool
	// OneSided reports that weakly active rows were made hard because K was
	// ill-posed without them (kkt_active.go).
	OneSided bool
	// Cond is the 1-norm condition estimate of the matrix factored (1 if
	// nothing was left to factor).
	Cond float64
}

// kktSystem solves the adjoint of the implicit-differentiation system of the
// stationarity, complementarity and equality conditions in (z, λ, ν, μ):
//
//	K = [ H + rI   Gᵀ          Aᵀ   Eᵀ ]
//	    [ ΛG       S + rI      0    0  ]
//	    [ A        0           rI   0  ]
//	    [ E        0           0    rI ]
//
// with H the SAA Hessian, S = diag(Gz − h), E the pin rows e_hᵀ (power
// kinks, multipliers μ) and r = DiffOptions.Ridge. This is the reference's K
// (synthetic.md §2, power.md §2, portfolio.md §2.3) plus pins. With
// DiffOptions.Smooth = δ, H gets +δI and S becomes S − δI (a proximal term
// and a log barrier of weight δλ_i on each active row). Kᵀu = [a; 0] is
// solved after exact eliminations that keep every u_z unchanged:
//
//   - rows with λ_i = 0 decouple (dλ_i = 0) and are dropped (λ_i and s_i
//     are compared with tolerances, kkt_active.go);
//   - rows with s_i + r − δ ≠ 0 are eliminated through their diagonal,
//     adding −λ_i/(s_i + r − δ)·G_iᵀG_i to the z block;
//   - the remaining ("hard") rows read G_i u_z = 0: a single-variable bound
//     (and, without ridge, a pin) fixes u_z,j = 0 and removes coordinate j;
//     other hard rows stay as symmetric constraint rows.
//
// What is left is a small symmetric system, factored by LU: for the
// portfolio vertex it has order 2, for power with every hour pinned 0.
type kktSystem struct {
	n        int
	g, a     sparseRows
	hpp      []float64 // z block after the eliminations, n×n
	free     []int     // coordinates not fixed
	pos      []int     // pos[j]: index of j in free, or −1
	hard     []int     // general hard inequality rows kept as constraints
	pins     []int
	softPins bool    // with a ridge, pins are rows with diagonal r
	hscale   float64 // max |H_jj| of the whole Hessian block (with ridge and smoothing), or 1
	r        *mat.Dense
	lu       mat.LU
	info     KKTInfo
}

// newKKT reduces K for Hessian h (row-major n×n) at the solution; λ_i at
// or below lamTol/‖G_i‖ count as 0 and, with weakHard, weakly active rows
// are hard rows (kkt_active.go).
func newKKT(h []float64, rs rowSet, sol *Solution, pins []int, ridge, smooth, lamTol float64, weakHard bool) *kktSystem {
	n := len(sol.Z)
	sys := &kktSystem{n: n, g: rs.g, a: rs.a, pins: pins, softPins: ridge != 0}
	sys.info = KKTInfo{Pins: len(pins), Ridge: ridge, Smooth: smooth, OneSided: weakHard}
	sys.hpp = append([]float64(nil), h[:n*n]...)
	for i := 0; i < n; i++ {
		sys.hpp[i*n+i] += ridge + smooth
	}
	hscale := hessScale(sys.hpp, n)
	sys.hscale = hscale
	fixed := make([]bool, n)
	weights := make([]float64, len(rs.h))
	for i := range rs.h {
		lam := sol.Lambda[i]
		if lam*sys.g.rowNorm(i) <= lamTol {
			lam = 0
		}
		s := activeSlack(rs, i, sol.Z, lam, hscale)
		if lam <= 0 && s == 0 {
			sys.info.WeaklyActive++
		}
		switch cols, _ := sys.g.row(i); {
		case lam <= 0 && !(weakHard && s == 0):
			continue
		case s+ridge-smooth != 0:
			weights[i] = -lam / (s + ridge - smooth)
		case len(cols) == 1:
			fixed[cols[0]] = true
		default:
			sys.hard = append(sys.hard, i)
		}
		sys.info.Active++
	}
	sys.g.addGramWeighted(sys.hpp, weights)
	if !sys.softPins {
		for _, h := range pins {
			fixed[h] = true
		}
	}
	sys.pos = make([]int, n)
	for j := range fixed {
		sys.pos[j] = -1
		if !fixed[j] {
			sys.pos[j] = len(sys.free)
			sys.free = append(sys.free, j)
		}
	}
	sys.info.Fixed = n - len(sys.free)
	sys.dropFixedHard()
	sys.assemble(len(rs.b), ridge)
	return sys
}

// dropFixedHard removes hard rows all of whose coordinates are fixed: they
// say nothing about u_z, and their adjoint component is taken as 0.
func (s *kktSystem) dropFixedHard() {
	kept := s.hard[:0]
	for _, i := range s.hard {
		cols, _ := s.g.row(i)
		for _, j := range cols {
			if s.pos[j] >= 0 {
				kept = append(kept, i)
				break
			}
		}
	}
	s.hard = kept
}

// assemble writes the reduced symmetric system.
func (s *kktSystem) assemble(p int, ridge float64) {
	nf := len(s.free)
	npin := 0
	if s.softPins {
		npin = len(s.pins)
	}
	size := nf + len(s.hard) + p + npin
	s.info.Size = size
	if size == 0 {
		return
	}
	data := make([]float64, size*size)
	for a, j := range s.free {
		for b, k := range s.free {
			data[a*size+b] = s.hpp[j*s.n+k]
		}
	}
	row := nf
	put := func(cols []int, vals []float64, diag float64) {
		for k, j := range cols {
			if f := s.pos[j]; f >= 0 {
				data[row*size+f], data[f*size+row] = vals[k], vals[k]
			}
		}
		data[row*size+row] = diag
		row++
	}
	for _, i := range s.hard {
		cols, vals := s.g.row(i)
		put(cols, vals, 0)
	}
	for i := 0; i < p; i++ {
		cols, vals := s.a.row(i)
		put(cols, vals, ridge)
	}
	for k := 0; k < npin; k++ {
		put([]int{s.pins[k]}, []float64{1}, ridge)
	}
	s.r = mat.NewDense(size, size, data)
}

// factor computes the LU factorization of the reduced system and reports
// whether it is well posed: its condition estimate, measured against the
// larger of ‖R‖max and the whole Hessian's scale (so that a reduced system
// whose entries are all negligible next to the problem's curvature counts
// as singular), is at most condLimit.
func (s *kktSystem) factor(condLimit float64) bool {
	if s.info.Size == 0 {
		s.info.Cond = 1
		return true
	}
	s.lu.Factorize(s.r)
	s.info.Cond = s.lu.Cond()
	rmax := normInf(s.r.RawMatrix().Data)
	return s.info.Cond*max(1, s.hscale/rmax) <= condLimit
}

// autoRidgeFloor is the smallest automatic δ relative to ŝ (see regularize).
const autoRidgeFloor = 1e-6

// regularize refactors an ill-posed system with δ on the z block and −δ on
// the constraint rows, δ = 1e-6·ŝ growing ×100 up to 1e-2·ŝ until the
// condition estimate is at most condLimit, where ŝ = max(‖R‖max, max_j
// |H_jj|) is the scale of the system before reduction. Only systems without a unique
// derivative get here (a well-posed one passes factor unchanged), so δ
// never perturbs an exact answer. The floor bounds the result: without
// Ridge, the regularized matrix is quasi-definite, [P Bᵀ; B −δI] with
// P ⪰ δI, whose adjoint has u_z = (P + BᵀB/δ)⁻¹a, so
//
//	‖u_z‖₂ ≤ ‖a‖₂/δ ≤ 1e6·‖a‖₂/ŝ,
//
// hence ‖DY_j‖₂ ≤ (1/M)‖D_j‖₂·1e6‖a‖₂/ŝ and |w_j| ≤ ‖∇f(y_j, z*)‖₂·1e6‖a‖₂/ŝ.
func (s *kktSystem) regularize(condLimit float64) error {
	raw := s.r.RawMatrix()
	scale := max(normInf(raw.Data), s.hscale)
	reg := mat.NewDense(raw.Rows, raw.Cols, nil)
	for delta := autoRidgeFloor * scale; delta <= 1e-2*scale; delta *= 100 {
		reg.Copy(s.r)
		for i := 0; i < raw.Rows; i++ {
			sign := -1.0
			if i < len(s.free) {
				sign = 1
			}
			reg.Set(i, i, reg.At(i, i)+sign*delta)
		}
		s.lu.Factorize(reg)
		if c := s.lu.Cond(); c <= condLimit {
			s.info.Cond, s.info.Auto = c, true
			s.info.Ridge += delta
			return nil
		}
	}
	return fmt.Errorf("KKT system (order %d) has condition number %.3g even after regularization: %w",
		raw.Rows, s.lu.Cond(), ErrNoConvergence)
}

// adjoint solves Kᵀu = [a; 0] and returns u_z (n entries) and the pin
// multipliers' components u_μ (one per pin). A pin eliminated as a fixed
// coordinate h gets u_μ from row h of the z block:
// u_μ = a_h − (H” u_z)_h − Σ_hard G_ih v_i − Σ_eq A_ih u_ν,i.
func (s *kktSystem) adjoint(a []float64) ([]float64, []float64, error) {
	uz, upin := make([]float64, s.n), make([]float64, len(s.pins))
	if s.info.Size == 0 {
		if !s.softPins {
			copy(upin, gather(a, s.pins))
		}
		return uz, upin, nil
	}
	rhs := mat.NewVecDense(s.info.Size, nil)
	for f, j := range s.free {
		rhs.SetVec(f, a[j])
	}
	var x mat.VecDense
	if err := s.lu.SolveVecTo(&x, false, rhs); err != nil {
		var cond mat.Condition
		if !errors.As(err, &cond) { // cond ≤ CondLimit was checked; Condition is only advisory
			return nil, nil, err
		}
	}
	u := x.RawVector().Data
	for f, j := range s.free {
		uz[j] = u[f]
	}
	off := len(s.free) + len(s.hard) + s.a.rows()
	if s.softPins {
		copy(upin, u[off:])
		return uz, upin, nil
	}
	back := make([]float64, s.n) // Gᵀv + Aᵀu_ν over the kept rows
	for r, i := range s.hard {
		cols, vals := s.g.row(i)
		for k, j := range cols {
			back[j] += vals[k] * u[len(s.free)+r]
		}
	}
	s.a.mulTransAdd(back, u[len(s.free)+len(s.hard):off])
	for k, h := range s.pins {
		upin[k] = a[h] - dot(s.hpp[h*s.n:(h+1)*s.n], uz) - back[h]
	}
	return uz, upin, nil
}

func gather(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = x[i]
	}
	return out
}
