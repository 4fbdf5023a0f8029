package solver

import (
	"fmt"
	"math"
)

// Status says how a solution was obtained, or why there is none.
type Status int

// Solution statuses. StatusExact and StatusOptimal are successes; the others
// accompany the matching error.
const (
	// StatusUnsolved: no solve was attempted or it was cancelled.
	StatusUnsolved Status = iota
	// StatusOptimal: the interior-point iteration met the tolerance; the
	// active-set polish did not apply (for example a non-unique optimum).
	StatusOptimal
	// StatusExact: the active set was identified and the KKT system solved
	// directly (polish, vertex check, or the structured power solver); the
	// residuals are at rounding level and active constraints hold exactly.
	StatusExact
	// StatusInfeasible accompanies ErrInfeasible.
	StatusInfeasible
	// StatusUnbounded accompanies ErrUnbounded.
	StatusUnbounded
	// StatusNoConvergence accompanies ErrNoConvergence; Z holds the last iterate.
	StatusNoConvergence
)

// String names the status.
func (s Status) String() string {
	switch s {
	case StatusUnsolved:
		return "unsolved"
	case StatusOptimal:
		return "optimal"
	case StatusExact:
		return "exact"
	case StatusInfeasible:
		return "infeasible"
	case StatusUnbounded:
		return "unbounded"
	case StatusNoConvergence:
		return "no-convergence"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Options tune the solvers. The zero value (or a nil *Options) selects the
// defaults documented on each field.
type Options struct {
	// Tol is the tolerance of the interior-point stopping test, which
	// requires each of ‖Gz + s − h‖∞/(1 + ‖h‖∞), ‖Az − b‖∞/(1 + ‖b‖∞),
	// ‖∇f + Gᵀλ + Aᵀν‖∞/(1 + max(‖∇f‖∞, ‖Gᵀλ + Aᵀν‖∞)) and sᵀλ/(1 + |f|) to
	// be at most Tol; a polished solution must pass the same test. Default
	// 1e-9.
	Tol float64
	// MaxIter bounds the interior-point (or, for power, dual) iterations.
	// Default 100 for interior point, 20000 for the power dual method.
	MaxIter int
	// NoPolish keeps the interior-point iterate instead of refining it on the
	// identified active set. Polishing never makes a solution worse: it is
	// kept only if it passes the KKT test.
	NoPolish bool
	// Workers is the number of goroutines of SolveBatch and
	// DifferentiateBatch. Default runtime.GOMAXPROCS(0). Results do not
	// depend on it.
	Workers int
}

// check rejects out-of-range fields: Tol NaN (ErrNaN) or negative, MaxIter
// negative (ErrOption). Zero means the default.
func (o *Options) check() error {
	if o == nil {
		return nil
	}
	if math.IsNaN(o.Tol) {
		return fmt.Errorf("options: Tol = NaN: %w", ErrNaN)
	}
	if o.Tol < 0 || math.IsInf(o.Tol, 0) {
		return fmt.Errorf("options: Tol = %g, want ≥ 0 (0: default 1e-9): %w", o.Tol, ErrOption)
	}
	if o.MaxIter < 0 {
		return fmt.Errorf("options: MaxIter = %d, want ≥ 0 (0: default): %w", o.MaxIter, ErrOption)
	}
	return nil
}

func (o *Options) tol() float64 {
	if o == nil || o.Tol <= 0 {
		return 1e-9
	}
	return o.Tol
}

func (o *Options) maxIter(def int) int {
	if o == nil || o.MaxIter <= 0 {
		return def
	}
	return o.MaxIter
}

func (o *Options) polish() bool { return o == nil || !o.NoPolish }

// Residuals are the KKT residuals of a solution, as ∞-norms:
//
//	Stationarity    ‖∇F(z) + Gᵀλ + Aᵀν‖
//	Primal          max(max_i (Gz − h)_i⁺, ‖Az − b‖)
//	Complementarity max_i λ_i·|(Gz − h)_i|
//	DualSign        max_i (−λ_i)⁺
//
// For the non-smooth power problem ∇F is the subgradient that the solver's
// multipliers certify (see Power).
type Residuals struct {
	Stationarity, Primal, Complementarity, DualSign float64
}

// Max is the largest of the residuals.
func (r Residuals) Max() float64 {
	return max(r.Stationarity, r.Primal, r.Complementarity, r.DualSign)
}

// Kink records that the optimum of a non-smooth problem sits on the kink of
// sample Sample's cost in coordinate Coord: z_Coord = y_Sample,Coord exactly.
type Kink struct {
	Coord, Sample int
}

// Solution is a minimizer with its multipliers. Lambda has one entry per row
// of G (all ≥ 0) and Nu one per row of A, in the sign convention
//
//	∇F(z) + Gᵀλ + Aᵀν = 0,  λ ≥ 0,  λ_i (Gz − h)_i = 0.
type Solution struct {
	Z      []float64
	Lambda []float64
	Nu     []float64
	// Objective is F(Z): the SAA objective (1/M)Σ_j f(y_j, Z) for Solve, the
	// QP or convex objective for SolveQP and SolveConvex.
	Objective  float64
	Status     Status
	Iterations int
	Residuals  Residuals
	// Kinks lists the coordinates pinned to a sample's kink (power only),
	// at most one per coordinate; used by Differentiate.
	Kinks []Kink
}
