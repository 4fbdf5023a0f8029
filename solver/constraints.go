package solver

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Constraints are the affine constraints Gz ≤ h and Az = b of a problem over
// z ∈ ℝⁿ. G (m×n) and A (p×n) may be nil when there are no inequalities or no
// equalities; len(H) must equal m and len(B) must equal p.
type Constraints struct {
	G *mat.Dense
	H []float64
	A *mat.Dense
	B []float64
}

// Ineq is the number of inequality rows m.
func (c Constraints) Ineq() int { return len(c.H) }

// Eq is the number of equality rows p.
func (c Constraints) Eq() int { return len(c.B) }

// check panics on shape mismatches against n and returns an ErrNaN error for
// non-finite entries.
func (c Constraints) check(n int) error {
	if err := checkBlock("G", c.G, c.H, n); err != nil {
		return err
	}
	return checkBlock("A", c.A, c.B, n)
}

func checkBlock(name string, m *mat.Dense, rhs []float64, n int) error {
	if m == nil {
		if len(rhs) != 0 {
			panicDim("constraints: %s is nil but its right-hand side has %d entries", name, len(rhs))
		}
		return nil
	}
	r, c := m.Dims()
	if c != n || r != len(rhs) {
		panicDim("constraints: %s is %d×%d with %d right-hand sides, want %d columns and one right-hand side per row",
			name, r, c, len(rhs), n)
	}
	raw := m.RawMatrix()
	if err := checkFiniteRows(name, raw.Data, r, c, raw.Stride); err != nil {
		return err
	}
	rhsName := "h"
	if name == "A" {
		rhsName = "b"
	}
	return checkFinite(rhsName, rhs)
}

// sparseRows is a compressed-row copy of G or A. Bound constraints (one
// nonzero per row) and the two-term rows of the power problem make the
// interior-point products GᵀWG and Gz cost O(nonzeros) instead of O(mn²).
type sparseRows struct {
	n     int
	start []int // row i holds entries start[i]..start[i+1]-1
	col   []int
	val   []float64
}

func newSparseRows(m *mat.Dense, n int) sparseRows {
	s := sparseRows{n: n, start: []int{0}}
	if m == nil {
		return s
	}
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := m.At(i, j); v != 0 {
				s.col = append(s.col, j)
				s.val = append(s.val, v)
			}
		}
		s.start = append(s.start, len(s.col))
	}
	return s
}

func (s *sparseRows) rows() int { return len(s.start) - 1 }

// row returns the column indices and values of row i.
func (s *sparseRows) row(i int) ([]int, []float64) {
	return s.col[s.start[i]:s.start[i+1]], s.val[s.start[i]:s.start[i+1]]
}

// mulVec sets dst = S z.
func (s *sparseRows) mulVec(dst, z []float64) {
	for i := range dst {
		var acc float64
		for k := s.start[i]; k < s.start[i+1]; k++ {
			acc += s.val[k] * z[s.col[k]]
		}
		dst[i] = acc
	}
}

// mulTransAdd adds Sᵀ w to dst.
func (s *sparseRows) mulTransAdd(dst, w []float64) {
	for i, wi := range w {
		if wi == 0 {
			continue
		}
		for k := s.start[i]; k < s.start[i+1]; k++ {
			dst[s.col[k]] += s.val[k] * wi
		}
	}
}

// addGramWeighted adds Sᵀ diag(w) S to the row-major n×n matrix dst (both
// triangles).
func (s *sparseRows) addGramWeighted(dst []float64, w []float64) {
	n := s.n
	for i, wi := range w {
		lo, hi := s.start[i], s.start[i+1]
		for a := lo; a < hi; a++ {
			ca, va := s.col[a]*n, wi*s.val[a]
			for b := lo; b < hi; b++ {
				dst[ca+s.col[b]] += va * s.val[b]
			}
		}
	}
}

// rowNorm is the Euclidean norm of row i.
func (s *sparseRows) rowNorm(i int) float64 {
	_, v := s.row(i)
	var acc float64
	for _, x := range v {
		acc += x * x
	}
	return math.Sqrt(acc)
}

// normInf returns max_i |x_i| (0 for an empty x).
func normInf(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}

func dot(x, y []float64) float64 {
	var acc float64
	for i, v := range x {
		acc += v * y[i]
	}
	return acc
}

// rowSet is a problem's constraints in compressed-row form, the form every
// internal computation uses.
type rowSet struct {
	g, a sparseRows
	h, b []float64
}

func rowsOf(c Constraints, n int) rowSet {
	return rowSet{g: newSparseRows(c.G, n), a: newSparseRows(c.A, n), h: c.H, b: c.B}
}

// rowSource is implemented by the built-in problems, which build their
// constraint rows directly instead of through dense matrices.
type rowSource interface {
	rows() rowSet
}

// problemRows returns p's constraints as a rowSet.
func problemRows(p Problem) rowSet {
	if r, ok := p.(rowSource); ok {
		return r.rows()
	}
	return rowsOf(p.Constraints(), p.Dim())
}

// rowBuilder appends sparse rows.
type rowBuilder struct {
	s   sparseRows
	rhs []float64
}

func newRowBuilder(n int) *rowBuilder { return &rowBuilder{s: sparseRows{n: n, start: []int{0}}} }

func (b *rowBuilder) add(cols []int, vals []float64, rhs float64) {
	b.s.col = append(b.s.col, cols...)
	b.s.val = append(b.s.val, vals...)
	b.s.start = append(b.s.start, len(b.s.col))
	b.rhs = append(b.rhs, rhs)
}

// boxRowSet is lo ≤ z ≤ hi as G = [−I; I], h = [−lo; hi].
func boxRowSet(lo, hi []float64) rowSet {
	n := len(lo)
	g := newRowBuilder(n)
	for i := 0; i < n; i++ {
		g.add([]int{i}, []float64{-1}, -lo[i])
	}
	for i := 0; i < n; i++ {
		g.add([]int{i}, []float64{1}, hi[i])
	}
	return rowSet{g: g.s, a: sparseRows{n: n, start: []int{0}}, h: g.rhs}
}

// kktResiduals computes the Residuals of (z, λ, ν) for gradient grad.
func kktResiduals(rs rowSet, grad, z, lam, nu []float64) Residuals {
	var r Residuals
	st := append([]float64(nil), grad...)
	rs.g.mulTransAdd(st, lam)
	rs.a.mulTransAdd(st, nu)
	r.Stationarity = normInf(st)
	gz := make([]float64, len(rs.h))
	rs.g.mulVec(gz, z)
	for i := range gz {
		v := gz[i] - rs.h[i]
		r.Primal = max(r.Primal, v)
		r.Complementarity = max(r.Complementarity, math.Abs(lam[i]*v))
		r.DualSign = max(r.DualSign, -lam[i])
	}
	az := make([]float64, len(rs.b))
	rs.a.mulVec(az, z)
	for i := range az {
		r.Primal = max(r.Primal, math.Abs(az[i]-rs.b[i]))
	}
	return r
}
