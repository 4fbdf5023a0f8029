package solver

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them (test with errors.Is), except the context's error after cancellation. ErrDimension is never returned: a shape
// mismatch is a programmer error and panics, following gonum's convention,
// with a value that wraps ErrDimension, so a recovered panic can still be
// classified with errors.Is.
var (
	// ErrDimension: vectors or matrices whose sizes do not agree (panics).
	ErrDimension = errors.New("solver: dimension mismatch")
	// ErrNaN: an input holds NaN or ±Inf.
	ErrNaN = errors.New("solver: NaN or Inf in input")
	// ErrInfeasible: no point satisfies Gz ≤ h, Az = b.
	ErrInfeasible = errors.New("solver: problem is infeasible")
	// ErrUnbounded: the objective has no finite minimum over the feasible set.
	ErrUnbounded = errors.New("solver: problem is unbounded")
	// ErrNotConvex: the quadratic form or Hessian is not positive semidefinite,
	// or a parameter makes the problem non-convex.
	ErrNotConvex = errors.New("solver: problem is not convex")
	// ErrNoConvergence: the iteration limit was reached before the residuals
	// fell below tolerance, or the iteration broke down numerically.
	ErrNoConvergence = errors.New("solver: no convergence")
	// ErrOption: an Options or DiffOptions field out of its range (a
	// negative tolerance, iteration limit or smoothing).
	ErrOption = errors.New("solver: invalid option")
)

// panicDim panics with an error wrapping ErrDimension.
func panicDim(format string, args ...any) {
	panic(fmt.Errorf(format+": %w", append(args, ErrDimension)...))
}

// checkFinite returns an ErrNaN error naming the first non-finite entry of x.
func checkFinite(name string, x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s[%d] = %v: %w", name, i, v, ErrNaN)
		}
	}
	return nil
}

// checkFiniteRows is checkFinite for a row-major r×c matrix, naming row and column.
func checkFiniteRows(name string, data []float64, r, c, stride int) error {
	for i := 0; i < r; i++ {
		row := data[i*stride : i*stride+c]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s row %d column %d = %v: %w", name, i, j, v, ErrNaN)
			}
		}
	}
	return nil
}
