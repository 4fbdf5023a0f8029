package solver

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Allocation is the synthetic task's decision problem (synthetic.md §2): a
// risk-averse exponential utility on a box,
//
//	f(y, z) = exp(−yᵀz),  0 ≤ z ≤ C  (G = [−I; I], h = [0; C·1]).
//
// Its sample average is smooth and convex; Solve runs the interior-point
// method with an active-set polish on log F (allocation_log.go), whose
// stopping test is scale-free in F, so coordinates at a bound are exactly 0
// or C and the multipliers are those of synthetic.md §2 (λ_lo,i = ∂F/∂z_i
// at z_i = 0, λ_up,i = −∂F/∂z_i at z_i = C). With one sample the optimum is
// bang-bang: z_i = C if y_i > 0 and 0 if y_i < 0.
type Allocation struct {
	N int     // dimension n
	C float64 // upper bound of every z_i
}

// NewAllocation returns the paper's instance: n = 10, C = 2.
func NewAllocation() Allocation { return Allocation{N: 10, C: 2} }

// Dim returns n.
func (a Allocation) Dim() int { return a.N }

// Cost returns exp(−yᵀz).
func (a Allocation) Cost(y, z []float64) float64 { return math.Exp(-dot(y, z)) }

// Grad sets dst = −exp(−yᵀz) y.
func (a Allocation) Grad(dst, y, z []float64) {
	e := math.Exp(-dot(y, z))
	for i, v := range y {
		dst[i] = -e * v
	}
}

// Hess sets dst = exp(−yᵀz) y yᵀ.
func (a Allocation) Hess(dst *mat.SymDense, y, z []float64) {
	e := math.Exp(-dot(y, z))
	for i := range y {
		for k := i; k < len(y); k++ {
			dst.SetSym(i, k, e*y[i]*y[k])
		}
	}
}

// Mixed sets dst = exp(−yᵀz)(−I + y zᵀ), the exact ∂(∇_z f)/∂y
// (synthetic.md §5; the reference's d2g_dzdy transposes the rank-one term).
func (a Allocation) Mixed(dst *mat.Dense, y, z []float64) {
	e := math.Exp(-dot(y, z))
	for i := range y {
		for k := range z {
			v := e * y[i] * z[k]
			if i == k {
				v -= e
			}
			dst.Set(i, k, v)
		}
	}
}

// mixedTransVec sets dst = Dᵀu for D = exp(−yᵀz)(−I + y zᵀ):
// dst = exp(−yᵀz)(−u + z (yᵀu)).
func (a Allocation) mixedTransVec(dst, y, z, u []float64) {
	e := math.Exp(-dot(y, z))
	yu := dot(y, u)
	for k := range dst {
		dst[k] = e * (-u[k] + z[k]*yu)
	}
}

// referenceMixedTransVec applies the transpose of the reference's
// kkt:d2g_dzdy per sample, exp(−yᵀz)(−I + z yᵀ) (rank-one term transposed,
// synthetic.md §8.4); Differentiate averages it over the sample group.
func (a Allocation) referenceMixedTransVec(dst, y, z, u []float64) {
	e := math.Exp(-dot(y, z))
	zu := dot(z, u)
	for k := range dst {
		dst[k] = e * (-u[k] + y[k]*zu)
	}
}

// saaHess sets dst to the SAA Hessian (1/M) Σ_j exp(−y_jᵀz) y_j y_jᵀ.
func (a Allocation) saaHess(dst []float64, Y *mat.Dense, z []float64) {
	newExpObjective(Y).hess(dst, z)
}

func (a Allocation) referenceAveraged() bool { return true }

// Constraints returns the box 0 ≤ z ≤ C.
func (a Allocation) Constraints() Constraints {
	lo, hi := a.bounds()
	return boxRows(lo, hi)
}

func (a Allocation) bounds() ([]float64, []float64) {
	lo, hi := make([]float64, a.N), make([]float64, a.N)
	for i := range hi {
		hi[i] = a.C
	}
	return lo, hi
}

func (a Allocation) rows() rowSet { return boxRowSet(a.bounds()) }

// boxRows returns lo ≤ z ≤ hi as G = [−I; I], h = [−lo; hi].
func boxRows(lo, hi []float64) Constraints {
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

// validate checks the parameters.
func (a Allocation) validate() error {
	if a.N <= 0 {
		panicDim("Allocation: N = %d", a.N)
	}
	if math.IsNaN(a.C) || math.IsInf(a.C, 0) {
		return fmt.Errorf("allocation: C = %v: %w", a.C, ErrNaN)
	}
	if a.C < 0 {
		return fmt.Errorf("allocation: C = %g < 0 leaves the box [0, C] empty: %w", a.C, ErrInfeasible)
	}
	return nil
}

func (a Allocation) solveSAA(ctx context.Context, Y *mat.Dense, opts *Options) (*Solution, error) {
	if err := a.validate(); err != nil {
		return &Solution{Status: StatusInfeasible}, err
	}
	return a.solveLogDomain(ctx, Y, opts)
}

// expObjective is F(z) = (1/M) Σ_j exp(−y_jᵀz), caching the exponentials of
// the last point so that value, gradient and Hessian at one z share them.
type expObjective struct {
	y     *mat.Dense
	m, n  int
	lastZ []float64
	e     []float64
	valid bool
}

func newExpObjective(Y *mat.Dense) *expObjective {
	m, n := Y.Dims()
	return &expObjective{y: Y, m: m, n: n, lastZ: make([]float64, n), e: make([]float64, m)}
}

func (o *expObjective) exps(z []float64) []float64 {
	if o.valid && equalSlices(o.lastZ, z) {
		return o.e
	}
	copy(o.lastZ, z)
	for j := range o.e {
		o.e[j] = math.Exp(-dot(o.y.RawRowView(j), z)) / float64(o.m)
	}
	o.valid = true
	return o.e
}

func equalSlices(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (o *expObjective) value(z []float64) float64 {
	var acc float64
	for _, v := range o.exps(z) {
		acc += v
	}
	return acc
}

func (o *expObjective) grad(dst, z []float64) {
	clear(dst)
	for j, e := range o.exps(z) {
		for i, v := range o.y.RawRowView(j) {
			dst[i] -= e * v
		}
	}
}

func (o *expObjective) hess(dst, z []float64) {
	n := o.n
	clear(dst[:n*n])
	for j, e := range o.exps(z) {
		y := o.y.RawRowView(j)
		for a := 0; a < n; a++ {
			ea := e * y[a]
			row := dst[a*n : (a+1)*n]
			for b := a; b < n; b++ {
				row[b] += ea * y[b]
			}
		}
	}
	for a := 0; a < n; a++ {
		for b := 0; b < a; b++ {
			dst[a*n+b] = dst[b*n+a]
		}
	}
}
