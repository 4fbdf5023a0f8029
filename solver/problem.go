package solver

import (
	"gonum.org/v1/gonum/mat"
)

// Problem is one task's decision problem: a per-sample cost f(y, z) of a
// decision z ∈ ℝⁿ under an outcome y ∈ ℝⁿ, with its derivatives, and the
// affine constraints on z. Solve minimises the sample average
// F(z) = (1/M) Σ_j f(y_j, z) over M samples.
//
// The built-in problems are Allocation, Power and Portfolio; Projection
// turns any problem into Euclidean projection onto its feasible set. A
// Problem defined elsewhere must be smooth and convex in z; Solve then uses
// the general interior-point method of SolveConvex.
type Problem interface {
	// Dim is n, the length of z and of every sample y.
	Dim() int
	// Cost returns f(y, z), the task loss of decision z when y happens.
	Cost(y, z []float64) float64
	// Grad sets dst = ∇_z f(y, z).
	Grad(dst, y, z []float64)
	// Hess sets dst = ∇²_zz f(y, z).
	Hess(dst *mat.SymDense, y, z []float64)
	// Mixed sets dst (n×n) to the mixed derivative ∂(∇_z f)/∂y:
	// dst[i][k] = ∂(∇_z f)_i / ∂y_k.
	Mixed(dst *mat.Dense, y, z []float64)
	// Constraints returns G, h, A, b. The result must not be modified.
	Constraints() Constraints
}

// SAAObjective returns F(z) = (1/M) Σ_j f(y_j, z) for the M rows of Y.
func SAAObjective(p Problem, Y *mat.Dense, z []float64) float64 {
	m := checkSamples(p, Y)
	if len(z) != p.Dim() {
		panicDim("SAAObjective: z has %d entries, problem has n = %d", len(z), p.Dim())
	}
	var acc float64
	for j := 0; j < m; j++ {
		acc += p.Cost(Y.RawRowView(j), z)
	}
	return acc / float64(m)
}

// checkSamples panics unless Y is M×n with M ≥ 1, and returns M.
func checkSamples(p Problem, Y *mat.Dense) int {
	if Y == nil {
		panicDim("samples: Y is nil")
	}
	m, n := Y.Dims()
	if n != p.Dim() {
		panicDim("samples: Y has %d columns, problem has n = %d", n, p.Dim())
	}
	return m
}

// samplesFinite returns an ErrNaN error naming the first non-finite sample entry.
func samplesFinite(Y *mat.Dense) error {
	raw := Y.RawMatrix()
	return checkFiniteRows("Y", raw.Data, raw.Rows, raw.Cols, raw.Stride)
}

// saaObjective adapts a Problem and samples to the engine's objective, with
// the per-sample derivatives averaged.
type saaObjective struct {
	p    Problem
	y    *mat.Dense
	m, n int
	gtmp []float64
	htmp *mat.SymDense
}

func newSAAObjective(p Problem, Y *mat.Dense) *saaObjective {
	m, n := Y.Dims()
	return &saaObjective{p: p, y: Y, m: m, n: n, gtmp: make([]float64, n), htmp: mat.NewSymDense(n, nil)}
}

func (o *saaObjective) value(z []float64) float64 {
	var acc float64
	for j := 0; j < o.m; j++ {
		acc += o.p.Cost(o.y.RawRowView(j), z)
	}
	return acc / float64(o.m)
}

func (o *saaObjective) grad(dst, z []float64) {
	clear(dst)
	for j := 0; j < o.m; j++ {
		o.p.Grad(o.gtmp, o.y.RawRowView(j), z)
		for i, v := range o.gtmp {
			dst[i] += v / float64(o.m)
		}
	}
}

func (o *saaObjective) hess(dst, z []float64) {
	clear(dst[:o.n*o.n])
	for j := 0; j < o.m; j++ {
		o.p.Hess(o.htmp, o.y.RawRowView(j), z)
		raw := o.htmp.RawSymmetric()
		for a := 0; a < o.n; a++ {
			for b := a; b < o.n; b++ {
				v := raw.Data[a*raw.Stride+b] / float64(o.m)
				dst[a*o.n+b] += v
				if a != b {
					dst[b*o.n+a] += v
				}
			}
		}
	}
}
