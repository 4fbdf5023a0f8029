package solver

import "math"

// rowBasis keeps an orthonormal basis Q of the span of the independent rows
// N added so far, with the lower-triangular L such that N = L Q (modified
// Gram–Schmidt with one reorthogonalisation pass). The active-set polish uses
// it for the particular solution, the null space and the multipliers of
// min f(z) s.t. N z = c, and to drop linearly dependent active rows (which
// then get zero multipliers).
type rowBasis struct {
	n int
	q [][]float64 // orthonormal rows
	l [][]float64 // l[k][j], j ≤ k: row k of N = Σ_j l[k][j] q[j]
}

// add keeps row if its component orthogonal to the kept rows exceeds
// tol·‖row‖, and reports whether it did.
func (rb *rowBasis) add(row []float64, tol float64) bool {
	norm0 := math.Sqrt(dot(row, row))
	if norm0 == 0 {
		return false
	}
	v := append([]float64(nil), row...)
	coef := make([]float64, len(rb.q)+1)
	for pass := 0; pass < 2; pass++ {
		for k, q := range rb.q {
			c := dot(q, v)
			coef[k] += c
			for i := range v {
				v[i] -= c * q[i]
			}
		}
	}
	nv := math.Sqrt(dot(v, v))
	if nv <= tol*norm0 {
		return false
	}
	for i := range v {
		v[i] /= nv
	}
	coef[len(rb.q)] = nv
	rb.q = append(rb.q, v)
	rb.l = append(rb.l, coef)
	return true
}

// correction sets dst to the minimum-norm Δ with N Δ = e: Δ = Qᵀ L⁻¹ e.
func (rb *rowBasis) correction(dst, e []float64) {
	y := make([]float64, len(rb.q))
	for k := range y {
		acc := e[k]
		for j := 0; j < k; j++ {
			acc -= rb.l[k][j] * y[j]
		}
		y[k] = acc / rb.l[k][k]
	}
	clear(dst)
	for k, q := range rb.q {
		for i := range dst {
			dst[i] += y[k] * q[i]
		}
	}
}

// multipliers sets dst to the least-squares solution μ of Nᵀμ = −g,
// i.e. Lᵀμ = −Q g.
func (rb *rowBasis) multipliers(dst, g []float64) {
	k := len(rb.q)
	for i := k - 1; i >= 0; i-- {
		acc := -dot(rb.q[i], g)
		for j := i + 1; j < k; j++ {
			acc -= rb.l[j][i] * dst[j]
		}
		dst[i] = acc / rb.l[i][i]
	}
}

// nullBasis returns n − k orthonormal rows spanning the orthogonal
// complement of the kept rows, completing Q greedily with the unit vector of
// largest remaining component.
func (rb *rowBasis) nullBasis() [][]float64 {
	full := &rowBasis{n: rb.n, q: append([][]float64(nil), rb.q...), l: append([][]float64(nil), rb.l...)}
	var out [][]float64
	e := make([]float64, rb.n)
	for len(full.q) < rb.n {
		best, bestRes := -1, 0.0
		for i := 0; i < rb.n; i++ {
			res := 1.0
			for _, q := range full.q {
				res -= q[i] * q[i]
			}
			if res > bestRes {
				best, bestRes = i, res
			}
		}
		clear(e)
		e[best] = 1
		if !full.add(e, 1e-8) {
			break
		}
		out = append(out, full.q[len(full.q)-1])
	}
	return out
}
