package solver

import "math"

// Active-set identification for the KKT system.
//
// An inequality row i enters K through its complementarity row
// λ_i G_i dz + s_i dλ_i = 0 with slack s_i = G_i z − h_i. At an exact
// optimum a row with λ_i > 0 has s_i = 0 and reads G_i dz = 0 (a hard
// row); at an interior-point iterate s_i is small and the row acts as a
// spring of stiffness λ_i/|s_i|. Slacks computed in floating point are never
// exactly zero: a power ramp z_{h+1} − z_h − c evaluates to ±1e-15, and an
// exact test would turn a binding ramp into a spring of stiffness 1e17 (or,
// with the wrong sign, a negative one), which the conditioning check then
// buries under an automatic ridge. So the slack is compared with the
// problem's scale and the multiplier:
//
//	hard  ⇔  λ_i > 0  and  ( |s_i| ≤ 1e-10·(1 + |h_i| + Σ_k |G_ik z_k|)
//	                        or  λ_i‖G_i‖² ≥ 1e8·ĥ·|s_i| )
//
// with ĥ = max_k |H_kk| the scale of the Hessian block (1 if it is zero). The first test is rounding level relative to the terms of
// the row; the second says the spring is 10⁸ times stiffer than the
// objective's curvature, where treating it as rigid changes u by a relative
// 1e-8. A hard row's slack is taken as exactly 0 (reference ridge and
// smoothing then see s_i + r − δ = r − δ).
//
// Degenerate cases, by convention:
//   - weakly active rows (λ_i = 0, s_i = 0 by the first test) are inactive
//     (KKTInfo.WeaklyActive): the derivative returned is the one-sided
//     derivative on the side where they turn slack. If K is singular or
//     ill-conditioned that way (a tie between portfolio vertices, where the
//     optimum is not unique), they are made hard instead, which gives the
//     one-sided derivative on the side where they stay active
//     (KKTInfo.OneSided);
//   - hard rows whose coordinates are all fixed by bounds or pins carry no
//     information about u_z and are dropped (their adjoint component is 0,
//     the multiplier goes to the bounds and pins);
//   - linearly dependent hard rows or a singular Hessian on the free
//     directions (non-unique optimum) leave K singular even then: factor
//     regularizes it with a floor that bounds the result (see regularize).
const (
	activeSlackRel = 1e-10
	activeStiff    = 1e8
)

// hessScale is the largest diagonal magnitude of the n×n row-major h, or 1.
func hessScale(h []float64, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		s = max(s, math.Abs(h[i*n+i]))
	}
	if s == 0 || math.IsNaN(s) {
		return 1
	}
	return s
}

// activeSlack returns the slack of inequality row i at z, snapped to 0 when
// the row is hard by the rule above.
func activeSlack(rs rowSet, i int, z []float64, lam, hscale float64) float64 {
	cols, vals := rs.g.row(i)
	var acc, mag, norm2 float64
	for k, j := range cols {
		t := vals[k] * z[j]
		acc += t
		mag += math.Abs(t)
		norm2 += vals[k] * vals[k]
	}
	s := acc - rs.h[i]
	if math.Abs(s) <= activeSlackRel*(1+math.Abs(rs.h[i])+mag) || (lam > 0 && lam*norm2 >= activeStiff*hscale*math.Abs(s)) {
		return 0
	}
	return s
}
