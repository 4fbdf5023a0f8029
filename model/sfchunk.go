package model

import (
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// sfChunk holds the buffers of one chunk of score-function rows, reused
// across chunks so the estimator's memory is one chunk's worth. Each group
// of consecutive rows shares one context row of x.
type sfChunk struct {
	yt, x, eps, dEps *nn.Matrix
	t                []int
	group            int // rows per context row of x
	tape             nn.Tape
	peak             int64 // largest tape storage of any chunk
}

func newSFChunk(rows, group, ydim, xdim int) *sfChunk {
	return &sfChunk{
		yt:    nn.NewMatrix(rows, ydim),
		x:     nn.NewMatrix(rows/group, xdim),
		eps:   nn.NewMatrix(rows, ydim),
		dEps:  nn.NewMatrix(rows, ydim),
		t:     make([]int, rows),
		group: group,
	}
}

// resize views the buffers as rows rows (rows ≤ capacity, a multiple of
// the group).
func (c *sfChunk) resize(rows int) {
	for _, m := range []*nn.Matrix{c.yt, c.eps, c.dEps} {
		m.Rows = rows
		m.Data = m.Data[:rows*m.Cols]
	}
	c.x.Rows = rows / c.group
	c.x.Data = c.x.Data[:c.x.Rows*c.x.Cols]
	c.t = c.t[:rows]
}

// sfChunk processes surrogate rows lo..hi−1 (row r = j·K + k): it noises
// y_j at t_r with fresh ε (or, with cfg.Shared > 1, the ε of its group's row
// in shared), runs the network with a tape, stores the loss
// ℓ_r = ‖ε − ε̂‖² and back-propagates
// dL_SF/dε̂_r = Scale·w_j·(−c_r)·2(ε̂ − ε).
func (d *Diffusion) sfChunk(c *sfChunk, y, x *nn.Matrix, w []float64, ts []int, coef, losses []float64, lo, hi int, cfg ScoreFunction, shared *nn.Matrix, rng *rand.Rand) {
	c.resize(hi - lo)
	for r := lo; r < hi; r++ {
		i, j, t := r-lo, r/cfg.K, ts[r]
		c.t[i] = t
		a, b := float32(math.Sqrt(d.Sched.AlphaBar[t])), float32(math.Sqrt(1-d.Sched.AlphaBar[t]))
		e, yt, yj := c.eps.Row(i), c.yt.Row(i), y.Row(j)
		if shared != nil {
			copy(e, shared.Row(j/cfg.Shared*cfg.K+r%cfg.K))
		} else {
			fillNormal(e, rng)
		}
		for k := range yt {
			yt[k] = a*yj[k] + b*e[k]
		}
		if i%c.group == 0 {
			copy(c.x.Row(i/c.group), x.Row(contextRow(j, y.Rows, x.Rows)))
		}
	}
	pred := d.Net.Forward(c.yt, c.t, c.x, &c.tape)
	for r := lo; r < hi; r++ {
		i := r - lo
		g := -2 * cfg.Scale * w[r/cfg.K] * coef[r]
		p, e, de := pred.Row(i), c.eps.Row(i), c.dEps.Row(i)
		var l float64
		for k := range p {
			diff := float64(p[k]) - float64(e[k])
			l += diff * diff
			de[k] = float32(g * diff)
		}
		losses[r] = l
	}
	c.peak = max(c.peak, c.tape.PeakBytes())
	d.Net.Backward(&c.tape, c.dEps)
	c.tape.Reset()
}
