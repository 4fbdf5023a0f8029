package model

import (
	"fmt"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Rows of one network call that share a context are passed with one context
// row per group of consecutive rows (EpsNet's grouped convention), never
// tiled: nn.Denoiser then computes the context's share of its first layer
// once per context instead of once per row. A DDIM step over B contexts × M
// samples passes x as is; a score-function chunk passes one row per group
// of samples' timesteps (sfGrouping).

// netContexts returns the context matrix for a network call on m
// consecutive rows per context row of x.
func (d *Diffusion) netContexts(x *nn.Matrix, m int) *nn.Matrix {
	if m < 1 {
		panic(fmt.Sprintf("model: %d samples per context, want ≥ 1", m))
	}
	if !d.tileContexts {
		return x
	}
	return RepeatRows(x, m)
}

// sfGrouping chooses the rows per score-function chunk and the group of
// consecutive rows that share one context row within a chunk, given at most
// maxRows rows per chunk and perContext consecutive rows per context: the
// group is the largest divisor of perContext not above maxRows, so every
// chunk holds whole groups, and the chunk the largest multiple of the group
// not above maxRows. Without sharing (or without a divisor above 1) every
// row is its own group.
func (d *Diffusion) sfGrouping(maxRows, perContext int) (rows, group int) {
	group = 1
	if !d.tileContexts {
		for g := min(maxRows, perContext); g > 1; g-- {
			if perContext%g == 0 {
				group = g
				break
			}
		}
	}
	return maxRows / group * group, group
}
