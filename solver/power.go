package solver

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Power is the generation-scheduling problem (power.md §2):
//
//	f(y, z) = Σ_h [γu (y_h − z_h)⁺ + γo (z_h − y_h)⁺ + ½(z_h − y_h)²],
//	|z_{h+1} − z_h| ≤ Ramp,
//
// with G holding the N−1 "up" rows (−z_h + z_{h+1} ≤ Ramp) first, then the
// N−1 "down" rows. The cost is not differentiable where z_h = y_h. Solve is
// exact (see chain): the solution satisfies the KKT conditions with a
// certified subgradient to rounding level, and whenever
// max_s y_sh − mean_s y_sh ≤ (γu − (M−1)γo)/M and no ramp binds, z_h is
// exactly the largest sample of hour h.
//
// Derivative conventions at kinks (power.md §7.5). An exact SAA optimum
// usually sits on a kink: z_h equals one sample's value (Solution.Kinks).
// Locally that hour is pinned to that sample, so the true derivative moves
// z_h with that sample only (through the ramps, its neighbours too), and
// Differentiate's default reparameterization gradient does exactly that,
// adding the pin z_h = y_sh as an equality row of K. The reference instead
// uses H = I with no pins, spreading a/M over all samples; KinkReference
// reproduces it. Grad uses strict comparisons, so a tied sample's gradient
// is 0 in hour h, as in the reference's dg_dz; for the score-function
// weights the default instead gives the tied sample the subgradient that
// makes stationarity (1/M)Σ_j g_j + Gᵀλ = 0 hold exactly (weights then sum
// to zero in that hour), see DiffOptions.
type Power struct {
	N              int
	GammaU, GammaO float64 // under- and over-generation prices γu, γo
	Ramp           float64 // ramp limit c
}

// NewPower returns the paper's instance: n = 24, γu = 50, γo = 0.5, ramp 0.4.
func NewPower() Power { return Power{N: 24, GammaU: 50, GammaO: 0.5, Ramp: 0.4} }

// Dim returns n.
func (p Power) Dim() int { return p.N }

// Cost returns the daily cost f(y, z).
func (p Power) Cost(y, z []float64) float64 {
	var acc float64
	for h, zh := range z {
		d := zh - y[h]
		acc += 0.5 * d * d
		if d < 0 {
			acc -= p.GammaU * d
		} else {
			acc += p.GammaO * d
		}
	}
	return acc
}

// Grad sets dst = −γu·1[y > z] + γo·1[z > y] + (z − y), strict comparisons.
func (p Power) Grad(dst, y, z []float64) {
	for h, zh := range z {
		d := zh - y[h]
		dst[h] = d
		if d < 0 {
			dst[h] -= p.GammaU
		} else if d > 0 {
			dst[h] += p.GammaO
		}
	}
}

// Hess sets dst = I, the Hessian of the smooth part.
func (p Power) Hess(dst *mat.SymDense, _, _ []float64) {
	dst.Zero()
	for h := 0; h < p.N; h++ {
		dst.SetSym(h, h, 1)
	}
}

// Mixed sets dst = −I, the mixed derivative away from kinks.
func (p Power) Mixed(dst *mat.Dense, _, _ []float64) {
	dst.Zero()
	for h := 0; h < p.N; h++ {
		dst.Set(h, h, -1)
	}
}

// Constraints returns the ramp rows: N−1 up rows, then N−1 down rows.
func (p Power) Constraints() Constraints {
	if p.N < 2 {
		return Constraints{}
	}
	r := p.N - 1
	g := mat.NewDense(2*r, p.N, nil)
	h := make([]float64, 2*r)
	for i := 0; i < r; i++ {
		g.Set(i, i, -1)
		g.Set(i, i+1, 1)
		g.Set(r+i, i, 1)
		g.Set(r+i, i+1, -1)
		h[i], h[r+i] = p.Ramp, p.Ramp
	}
	return Constraints{G: g, H: h}
}

func (p Power) rows() rowSet {
	g := newRowBuilder(p.N)
	for i := 0; i+1 < p.N; i++ {
		g.add([]int{i, i + 1}, []float64{-1, 1}, p.Ramp)
	}
	for i := 0; i+1 < p.N; i++ {
		g.add([]int{i, i + 1}, []float64{1, -1}, p.Ramp)
	}
	return rowSet{g: g.s, a: sparseRows{n: p.N, start: []int{0}}, h: g.rhs}
}

// mixedTransVec sets dst = (−I)ᵀu.
func (p Power) mixedTransVec(dst, _, _, u []float64) {
	for k := range dst {
		dst[k] = -u[k]
	}
}

// saaHess sets dst = I.
func (p Power) saaHess(dst []float64, _ *mat.Dense, _ []float64) { setIdentity(dst, p.N) }

func setIdentity(dst []float64, n int) {
	clear(dst[:n*n])
	for i := 0; i < n; i++ {
		dst[i*n+i] = 1
	}
}

// kinkJump is the jump of ∂f/∂z_h across z_h = y_h: γu + γo.
func (p Power) kinkJump(int) float64 { return p.GammaU + p.GammaO }

func (p Power) validate() error {
	if p.N <= 0 {
		panicDim("Power: N = %d", p.N)
	}
	for _, v := range []float64{p.GammaU, p.GammaO, p.Ramp} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("power: parameters (γu %v, γo %v, ramp %v): %w", p.GammaU, p.GammaO, p.Ramp, ErrNaN)
		}
	}
	if p.GammaU < 0 || p.GammaO < 0 {
		return fmt.Errorf("power: γu = %g, γo = %g must be ≥ 0 for a convex cost: %w", p.GammaU, p.GammaO, ErrNotConvex)
	}
	if p.Ramp < 0 {
		return fmt.Errorf("power: ramp limit %g < 0: %w", p.Ramp, ErrInfeasible)
	}
	return nil
}

func (p Power) solveSAA(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error) {
	if err := p.validate(); err != nil {
		return &Solution{Status: StatusUnsolved}, err
	}
	if err := ctx.Err(); err != nil {
		return &Solution{Status: StatusUnsolved}, err
	}
	ch := newChain(columns(Y), Y.RawMatrix().Rows, p.GammaU, p.GammaO, p.Ramp, opts.maxIter(20000))
	ok := ch.solve()
	sol := ch.solution()
	sol.Objective = SAAObjective(p, Y, sol.Z)
	if !ok {
		sol.Status = StatusNoConvergence
		return sol, fmt.Errorf("power: dual method found no KKT point in %d iterations: %w", ch.iters, ErrNoConvergence)
	}
	return sol, nil
}

// columns returns the columns of Y as slices (hour-major copies).
func columns(Y *mat.Dense) [][]float64 {
	m, n := Y.Dims()
	out := make([][]float64, n)
	for h := range out {
		out[h] = make([]float64, m)
		for s := 0; s < m; s++ {
			out[h][s] = Y.At(s, h)
		}
	}
	return out
}

// solution packages the chain's state: λ_up = ν⁺, λ_down = ν⁻, the kinks
// and the residuals with the certified subgradient.
func (ch *chain) solution() *Solution {
	r := ch.n - 1
	sol := &Solution{Z: append([]float64(nil), ch.z...), Lambda: make([]float64, 2*r), Nu: []float64{},
		Status: StatusExact, Iterations: ch.iters}
	for h := 0; h < r; h++ {
		sol.Lambda[h], sol.Lambda[r+h] = max(ch.nu[h], 0), max(-ch.nu[h], 0)
	}
	for h, k := range ch.pinned {
		if k >= 0 {
			sol.Kinks = append(sol.Kinks, Kink{Coord: h, Sample: ch.idx[h][k]})
		}
	}
	var res Residuals
	for h := 0; h < ch.n; h++ {
		st := ch.g[h]
		if h > 0 {
			st += ch.nu[h-1]
		}
		if h < r {
			st -= ch.nu[h]
		}
		lo, hi := ch.subgrad(h, ch.z[h])
		outside := max(lo-ch.g[h], ch.g[h]-hi, 0)
		res.Stationarity = max(res.Stationarity, math.Abs(st)+outside)
		if h < r {
			d := ch.z[h+1] - ch.z[h]
			res.Primal = max(res.Primal, math.Abs(d)-ch.c)
			res.Complementarity = max(res.Complementarity, sol.Lambda[h]*math.Abs(d-ch.c), sol.Lambda[r+h]*math.Abs(-d-ch.c))
		}
	}
	sol.Residuals = res
	return sol
}
