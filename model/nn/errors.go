package nn

import (
	"errors"
	"fmt"
)

var (
	// ErrShape reports mismatched dimensions. Shape mismatches in calls are
	// programmer errors and panic with an error wrapping ErrShape; loading
	// parameters of the wrong shape returns one.
	ErrShape = errors.New("nn: shape mismatch")
	// ErrTape reports a backward pass that found another layer's record on
	// top of the tape (forward and backward calls out of order). It panics.
	ErrTape = errors.New("nn: tape out of order")
	// ErrConfig reports an invalid network configuration.
	ErrConfig = errors.New("nn: invalid configuration")
	// ErrFormat reports a parameter record that is not a valid artifact of
	// this package (missing metadata, wrong kind, wrong column).
	ErrFormat = errors.New("nn: invalid parameter record")
)

// mustSameShape panics unless a and b have equal dimensions.
func mustSameShape(op string, a, b *Matrix) {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		panic(fmt.Errorf("%w: %s: %d×%d vs %d×%d", ErrShape, op, a.Rows, a.Cols, b.Rows, b.Cols))
	}
}

// mustCols panics unless m has the given number of columns.
func mustCols(op string, m *Matrix, cols int) {
	if m.Cols != cols {
		panic(fmt.Errorf("%w: %s: input has %d columns, want %d", ErrShape, op, m.Cols, cols))
	}
}
