package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// RepeatRows tiles x for drawing m samples per context: row b·m + j of the
// result is x's row b. This is the row order of every batch of samples in
// the package ("context-major"; the reference tiles sample-major, s·B + b).
func RepeatRows(x *nn.Matrix, m int) *nn.Matrix {
	if m < 1 {
		panic(fmt.Sprintf("model: RepeatRows m = %d", m))
	}
	out := nn.NewMatrix(x.Rows*m, x.Cols)
	for b := 0; b < x.Rows; b++ {
		src := x.Row(b)
		for j := 0; j < m; j++ {
			copy(out.Row(b*m+j), src)
		}
	}
	return out
}

// contextRow maps sample row i to its context row when x holds either one
// row per sample or one row per context (row b·m + j ↔ context b).
func contextRow(i, nSamples, nContexts int) int {
	return i / (nSamples / nContexts)
}

// checkContexts panics unless x has n rows, or a number of rows dividing n.
func checkContexts(what string, x *nn.Matrix, n, xdim int) {
	if x.Cols != xdim {
		panic(fmt.Sprintf("model: %s: x has %d columns, want %d", what, x.Cols, xdim))
	}
	if x.Rows == 0 || n%x.Rows != 0 {
		panic(fmt.Sprintf("model: %s: x has %d rows, want a divisor of %d samples", what, x.Rows, n))
	}
}

// checkShape panics unless m is rows × cols.
func checkShape(what string, m *nn.Matrix, rows, cols int) {
	if m.Rows != rows || m.Cols != cols {
		panic(fmt.Sprintf("model: %s is %d×%d, want %d×%d", what, m.Rows, m.Cols, rows, cols))
	}
}

// fillNormal draws standard normal values in order from rng.
func fillNormal(dst []float32, rng *rand.Rand) {
	for i := range dst {
		dst[i] = float32(rng.NormFloat64())
	}
}

// finite reports whether every value is finite.
func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}
