package solver

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Want selects the outputs of Differentiate.
type Want int

// Outputs; the zero value computes both.
const (
	WantAll     Want = iota
	WantWeights      // score-function weights only
	WantDY           // reparameterization gradients only
)

// MixedForm selects the mixed derivative ∂(∇_z f)/∂y used for DY.
type MixedForm int

const (
	// MixedExact is each problem's exact per-sample mixed derivative.
	MixedExact MixedForm = iota
	// MixedReference is the reference's form (legacy, for comparison):
	// allocation exp(−yᵀz)(−I + z yᵀ) averaged over the samples of a group
	// and applied to each of them (synthetic.md §8.4); portfolio
	// diag(2α y ⊙ z) (portfolio.md §3.3); power unchanged (its reference
	// form is exact away from kinks). Other problems: unchanged.
	MixedReference
)

// KinkRule selects the convention at kinks of the power cost.
type KinkRule int

const (
	// KinkExact (default): DY treats each hour on a kink as pinned to its
	// tied sample (an equality row in K, so z_h moves with that sample only,
	// and with its neighbours through active ramps); the score weights give
	// the tied sample the subgradient that makes stationarity exact.
	KinkExact KinkRule = iota
	// KinkReference reproduces the reference: H = I, no pins (every sample
	// gets a/M in an unconstrained hour), tied samples keep Grad's value 0.
	KinkReference
)

// ScoreHessian selects the Hessian of the score-function system of a
// problem with kinks.
type ScoreHessian int

const (
	// ScoreSmooth uses the smooth part's Hessian (power: I), as the reference.
	ScoreSmooth ScoreHessian = iota
	// ScoreDensity adds jump·p̂_h(z_h) per coordinate, with p̂_h a Gaussian
	// kernel density estimate of the samples of coordinate h (Silverman
	// bandwidth 1.06·sd·M^(−1/5)): the score-function estimator targets the
	// population solution, whose Hessian is I + (γu+γo)·p(y_h = z_h).
	ScoreDensity
)

// DiffOptions tune Differentiate. A nil *DiffOptions means all defaults.
type DiffOptions struct {
	Want         Want         // outputs to compute (default both)
	Mixed        MixedForm    // mixed derivative used for DY (default exact)
	Kinks        KinkRule     // convention at power kinks (default exact)
	ScoreHessian ScoreHessian // Hessian of the score system at kinks (default smooth part)
	// Group applies to MixedReference with averaging (allocation): the
	// average is taken over consecutive groups of Group samples, each
	// scaled by 1/Group instead of 1/M, as the reference does per item
	// inside a pooled problem. Default M (one group). M must be a multiple.
	Group int
	// Ridge is added to every diagonal entry of K before factoring, as the
	// reference's portfolio layer does with 1e-6; 0 adds nothing. Note that
	// on an active row this makes the complementarity diagonal s_i + r = r
	// > 0, which turns the constraint into a negative stiffness −λ_i/r: the
	// derivative of a coordinate held at a bound then points out of the
	// feasible set (see Portfolio). Use Smooth for a consistent surrogate.
	Ridge float64
	// Smooth = δ > 0 differentiates a smoothed problem instead: a proximal
	// term (+δI on H) and a log barrier on the active inequalities (their
	// complementarity diagonal s_i − δ), so that an active row acts as a
	// spring of stiffness λ_i/δ. At vertex optima, where the exact
	// derivative is zero, this gives a correctly signed surrogate that
	// tends to the exact derivative as δ → 0 where that is non-degenerate.
	// Equalities and pins stay exact.
	Smooth float64
	// CondLimit is the condition number above which K is regularized
	// automatically (see KKTInfo). Default 1e12.
	CondLimit float64
	// Workers is the number of goroutines of DifferentiateBatch (default
	// GOMAXPROCS); results do not depend on it.
	Workers int
}

// check rejects NaN Ridge, Smooth or CondLimit and infinite Ridge (ErrNaN) and negative or
// infinite Smooth (ErrOption).
func (o DiffOptions) check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Ridge", o.Ridge}, {"Smooth", o.Smooth}, {"CondLimit", o.CondLimit}} {
		if math.IsNaN(f.v) || (f.name == "Ridge" && math.IsInf(f.v, 0)) {
			return fmt.Errorf("differentiate: %s = %v: %w", f.name, f.v, ErrNaN)
		}
	}
	if o.Smooth < 0 || math.IsInf(o.Smooth, 0) {
		return fmt.Errorf("differentiate: Smooth = %g, want ≥ 0: %w", o.Smooth, ErrOption)
	}
	return nil
}

func (o *DiffOptions) orDefault() DiffOptions {
	var d DiffOptions
	if o != nil {
		d = *o
	}
	if d.CondLimit <= 0 {
		d.CondLimit = 1e12
	}
	return d
}

// Sensitivity holds the per-sample gradients of a downstream loss L through
// z*(Y). With u the solution of Kᵀu = [a; 0] (a = dL/dz*):
//
//	Weights[j] = w_j = −[a;0]ᵀK⁻¹[∇_z f(y_j, z*); 0] = −u_zᵀ ∇_z f(y_j, z*),
//	DY[j]      = dL/dy_j = −(1/M) [a;0]ᵀK⁻¹[∂(∇_z f)/∂y_j; 0] = −(1/M) D_jᵀ u_z.
//
// The weights carry no 1/M: the score-function estimate of dL/dθ for
// samples y_j ~ p_θ is (1/M) Σ_j w_j ∇_θ log p_θ(y_j). DY includes the 1/M
// and is exact: dL/dθ = Σ_j DY[j]ᵀ ∂y_j/∂θ for reparameterized samples. For
// a point prediction ŷ pass Y with the single row ŷ: DY's row is dL/dŷ.
type Sensitivity struct {
	Weights []float64  // M entries; nil unless requested
	DY      *mat.Dense // M×n; nil unless requested
	// Score and Reparam describe the KKT matrices used for Weights and DY
	// (the same matrix unless kinks or ScoreDensity make them differ).
	Score, Reparam KKTInfo
}

// kinked is implemented by problems with a kink along z_h = y_h (power).
type kinked interface {
	kinkJump(h int) float64
}

// referenceForm is implemented by problems that offer the reference's
// mixed derivative D_ref, applied transposed: dst = D_refᵀu.
type referenceForm interface {
	referenceMixedTransVec(dst, y, z, u []float64)
	referenceAveraged() bool
}

// mixedTransposer is the fast path of Mixed: dst = Dᵀu without forming D.
type mixedTransposer interface {
	mixedTransVec(dst, y, z, u []float64)
}

// saaHessian is the fast path of the averaged Hessian (row-major n×n).
type saaHessian interface {
	saaHess(dst []float64, Y *mat.Dense, z []float64)
}

// Differentiate computes the score-function weights and reparameterization
// gradients of L through the solution sol of Solve(p, Y) for the upstream
// gradient a = dL/dz* (conventions on Sensitivity). It factors K once per
// system (LU, float64) and solves one adjoint system; each sample then
// costs a dot product (weights) or a small matrix–vector product (DY).
//
// The adjoint system is first reduced exactly: inactive rows drop out,
// coordinates held by an active bound (or a pin) are eliminated, and only
// the free coordinates, the other active rows and the equalities remain
// (KKTInfo.Size). When that system is singular or ill-conditioned, weakly
// active constraints are first made hard (a one-sided derivative,
// KKTInfo.OneSided); if it stays so (degenerate vertices, non-unique
// optima) it is regularized with a bounded ridge and the result says so
// (KKTInfo.Auto, Ridge). Errors: ErrNaN if a is not finite or an option is
// NaN; ErrOption for an option out of range;
// ErrNoConvergence if K stays singular after regularization. Mismatched
// sizes panic (ErrDimension).
func Differentiate(p Problem, Y *mat.Dense, sol *Solution, a []float64, opts *DiffOptions) (*Sensitivity, error) {
	o := opts.orDefault()
	m := checkSamples(p, Y)
	n := p.Dim()
	rs := problemRows(p)
	if len(sol.Z) != n || len(a) != n || len(sol.Lambda) != len(rs.h) || len(sol.Nu) != len(rs.b) {
		panicDim("Differentiate: z has %d, a %d, λ %d, ν %d entries; problem has n = %d, %d inequalities, %d equalities",
			len(sol.Z), len(a), len(sol.Lambda), len(sol.Nu), n, len(rs.h), len(rs.b))
	}
	if m == 0 {
		panicDim("Differentiate: Y has no rows")
	}
	if o.Group > 0 && m%o.Group != 0 {
		panicDim("Differentiate: Group = %d does not divide M = %d", o.Group, m)
	}
	if err := checkFinite("a", a); err != nil {
		return nil, err
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if err := samplesFinite(Y); err != nil {
		return nil, err
	}
	d := &differ{p: p, y: Y, sol: sol, a: a, o: o, rs: rs, m: m, n: n, lamTol: -1}
	return d.run()
}

// differ carries one Differentiate call.
type differ struct {
	p    Problem
	y    *mat.Dense
	sol  *Solution
	a    []float64
	o    DiffOptions
	rs   rowSet
	m, n int
	// lamTol is multiplierTol, computed on first use (−1 before).
	lamTol float64
}

func (d *differ) run() (*Sensitivity, error) {
	hess := make([]float64, d.n*d.n)
	if fh, ok := d.p.(saaHessian); ok {
		fh.saaHess(hess, d.y, d.sol.Z)
	} else {
		newSAAObjective(d.p, d.y).hess(hess, d.sol.Z)
	}
	kp, isKinked := d.p.(kinked)
	var pins []int
	if isKinked && d.o.Kinks == KinkExact {
		for _, k := range d.sol.Kinks {
			pins = append(pins, k.Coord)
		}
	}
	out := &Sensitivity{}
	var uScore, uRep, pinU []float64
	var err error
	if d.o.Want != WantDY {
		hs := hess
		if isKinked && d.o.ScoreHessian == ScoreDensity {
			hs = d.densityHessian(hess, kp)
		}
		if uScore, _, out.Score, err = d.adjoint(hs, nil); err != nil {
			return nil, fmt.Errorf("score-function system: %w", err)
		}
		out.Weights = d.weights(uScore, isKinked)
	}
	if d.o.Want != WantWeights {
		if uScore != nil && len(pins) == 0 && !(isKinked && d.o.ScoreHessian == ScoreDensity) {
			uRep, out.Reparam = uScore, out.Score
		} else if uRep, pinU, out.Reparam, err = d.adjoint(hess, pins); err != nil {
			return nil, fmt.Errorf("reparameterization system: %w", err)
		}
		out.DY = d.dy(uRep, pinU)
	}
	return out, nil
}

// adjoint builds and factors K and solves Kᵀu = [a; 0]; it returns u_z and
// the pins' components.
func (d *differ) adjoint(hess []float64, pins []int) ([]float64, []float64, KKTInfo, error) {
	if d.lamTol < 0 {
		d.lamTol = d.multiplierTol()
	}
	sys := newKKT(hess, d.rs, d.sol, pins, d.o.Ridge, d.o.Smooth, d.lamTol, false)
	if !sys.factor(d.o.CondLimit) {
		if sys.info.WeaklyActive > 0 {
			if one := newKKT(hess, d.rs, d.sol, pins, d.o.Ridge, d.o.Smooth, d.lamTol, true); one.factor(d.o.CondLimit) {
				sys = one
			}
		}
		if !sys.info.OneSided {
			if err := sys.regularize(d.o.CondLimit); err != nil {
				return nil, nil, sys.info, err
			}
		}
	}
	uz, upin, err := sys.adjoint(d.a)
	return uz, upin, sys.info, err
}

// multiplierTol is the level below which λ_i‖G_i‖ counts as zero:
// 1e-9 times the larger of the largest per-sample gradient ‖∇f(y_j, z*)‖∞
// and the largest λ_i‖G_i‖₂. A multiplier that small is below the
// accuracy of an interior-point solution (the scales of its stopping test),
// so the row is inactive, or weakly active if its slack is zero.
func (d *differ) multiplierTol() float64 {
	scale := 0.0
	g := make([]float64, d.n)
	for j := 0; j < d.m; j++ {
		d.p.Grad(g, d.y.RawRowView(j), d.sol.Z)
		scale = max(scale, normInf(g))
	}
	for i, l := range d.sol.Lambda {
		scale = max(scale, l*d.rs.g.rowNorm(i))
	}
	return 1e-9 * scale
}

// densityHessian adds jump·p̂_h(z_h) to the diagonal (ScoreDensity).
func (d *differ) densityHessian(hess []float64, kp kinked) []float64 {
	out := append([]float64(nil), hess...)
	for h := 0; h < d.n; h++ {
		var mean, sq float64
		for j := 0; j < d.m; j++ {
			mean += d.y.At(j, h) / float64(d.m)
		}
		for j := 0; j < d.m; j++ {
			v := d.y.At(j, h) - mean
			sq += v * v
		}
		sd := math.Sqrt(sq / float64(max(d.m-1, 1)))
		bw := max(1.06*sd*math.Pow(float64(d.m), -0.2), 1e-12*(1+math.Abs(d.sol.Z[h])))
		var dens float64
		for j := 0; j < d.m; j++ {
			t := (d.sol.Z[h] - d.y.At(j, h)) / bw
			dens += math.Exp(-0.5*t*t) / (bw * math.Sqrt(2*math.Pi) * float64(d.m))
		}
		out[h*d.n+h] += kp.kinkJump(h) * dens
	}
	return out
}
