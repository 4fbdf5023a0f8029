package nn

import (
	"fmt"
	"math"
	"runtime"

	"github.com/diffusion-dfl/pipe/pipeline/cores"
)

// Gradient utilities. A gradient snapshot is one flat []float32 holding every
// parameter's G in Params order (NumParams values), so that copying, norms
// and mixing are single sweeps over contiguous memory.

// normEps is the term the reference adds under the square root of a
// gradient norm, sqrt(Σg² + 1e-12), so that a zero gradient has norm 1e-6.
const normEps = 1e-12

// flatChunkLen is the fixed chunk of a flat sweep (see parallel.go).
const flatChunkLen = 1 << 14

// forFlat calls fn(c, lo, hi) for the fixed flatChunkLen chunks of [0, n),
// on both cores when n is large.
func forFlat(n int, fn func(c, lo, hi int)) {
	nc := (n + flatChunkLen - 1) / flatChunkLen
	chunk := func(c int) { fn(c, c*flatChunkLen, min(n, (c+1)*flatChunkLen)) }
	workers := min(runtime.GOMAXPROCS(0), nc)
	if workers <= 1 || n < 4*flatChunkLen {
		for c := range nc {
			chunk(c)
		}
		return
	}
	cores.Do(nc, workers, chunk)
}

// sumSquares returns Σv² accumulated in float64, in a fixed order.
func sumSquares(v []float32) float64 {
	nc := (len(v) + flatChunkLen - 1) / flatChunkLen
	parts := make([]float64, nc)
	forFlat(len(v), func(c, lo, hi int) {
		var s float64
		for _, x := range v[lo:hi] {
			s += float64(x) * float64(x)
		}
		parts[c] = s
	})
	var s float64
	for _, p := range parts {
		s += p
	}
	return s
}

// NumParams is the total number of scalars in ps.
func NumParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.W.Data)
	}
	return n
}

// ZeroGrad sets every gradient to zero.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear(p.G.Data)
	}
}

// GradNorm is the reference's gradient norm sqrt(Σ_params Σ g² + 1e-12).
func GradNorm(ps []*Param) float64 {
	var s float64
	for _, p := range ps {
		s += sumSquares(p.G.Data)
	}
	return math.Sqrt(s + normEps)
}

// FlatNorm is GradNorm of a snapshot: sqrt(Σ g² + 1e-12).
func FlatNorm(g []float32) float64 { return math.Sqrt(sumSquares(g) + normEps) }

// ScaleGrads multiplies every gradient by s.
func ScaleGrads(ps []*Param, s float32) {
	for _, p := range ps {
		g := p.G.Data
		forFlat(len(g), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				g[i] *= s
			}
		})
	}
}

// SnapshotGrads copies the gradients of ps, in order, into dst (grown to
// NumParams(ps) if needed) and returns it.
func SnapshotGrads(ps []*Param, dst []float32) []float32 {
	n := NumParams(ps)
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	off := 0
	for _, p := range ps {
		off += copy(dst[off:], p.G.Data)
	}
	return dst
}

// SetGrads overwrites the gradients of ps with a snapshot.
func SetGrads(ps []*Param, src []float32) {
	mustSnapshot(ps, src)
	off := 0
	for _, p := range ps {
		off += copy(p.G.Data, src[off:])
	}
}

// AddGrads adds a·src into the gradients of ps (G += a·src).
func AddGrads(ps []*Param, a float32, src []float32) {
	mustSnapshot(ps, src)
	off := 0
	for _, p := range ps {
		Axpy(p.G.Data, a, src[off:off+len(p.G.Data)])
		off += len(p.G.Data)
	}
}

// Axpy sets y += a·x.
func Axpy(y []float32, a float32, x []float32) {
	if len(x) != len(y) {
		panic(fmt.Errorf("%w: Axpy of %d into %d values", ErrShape, len(x), len(y)))
	}
	forFlat(len(y), func(_, lo, hi int) {
		xs, ys := x[lo:hi], y[lo:hi]
		for i, v := range xs {
			ys[i] += a * v
		}
	})
}

// MixGrads sets the gradients of ps to the reference's balanced direction
// α·(‖ref‖/‖scaled‖ + 1e-8)·scaled + (1−α)·ref, both norms
// sqrt(Σg²+1e-12) and the ratio treated as a constant, and returns the ratio
// ‖ref‖/‖scaled‖. scaled and ref are snapshots (SnapshotGrads).
//
// The synthetic task (synthetic.md §6) calls it with scaled = g_dfl,
// ref = g_denoise, α = 0.2; the portfolio task (portfolio.md §3.4) likewise
// with α = 0.5; the power task (power.md §4, step 4) rescales the other term,
// 0.9·g_dfl + 0.1·(‖g_dfl‖/‖g_mse‖+1e-8)·g_mse, which is scaled = g_mse,
// ref = g_dfl, α = 0.1.
func MixGrads(ps []*Param, scaled, ref []float32, alpha float64) float64 {
	mustSnapshot(ps, scaled)
	mustSnapshot(ps, ref)
	ratio := FlatNorm(ref) / FlatNorm(scaled)
	a, b := alpha*(ratio+1e-8), 1-alpha
	off := 0
	for _, p := range ps {
		g := p.G.Data
		s, r := scaled[off:off+len(g)], ref[off:off+len(g)]
		forFlat(len(g), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				g[i] = float32(a*float64(s[i]) + b*float64(r[i]))
			}
		})
		off += len(g)
	}
	return ratio
}

// mustSnapshot panics unless s has one value per parameter scalar.
func mustSnapshot(ps []*Param, s []float32) {
	if n := NumParams(ps); len(s) != n {
		panic(fmt.Errorf("%w: gradient snapshot of %d values for %d parameters", ErrShape, len(s), n))
	}
}
