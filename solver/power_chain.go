package solver

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// chain solves the power SAA problem exactly (power.md §2 [note]):
//
//	min Σ_h F_h(z_h)  s.t.  |z_{h+1} − z_h| ≤ c,
//	F_h(z) = (1/M) Σ_s φ(z − y_sh),  φ(d) = γu(−d)⁺ + γo d⁺ + ½d².
//
// F_h is strictly convex and piecewise quadratic with unit curvature and a
// kink at every sample; F_h' jumps by (γu+γo)/M there. The method has two
// parts. FISTA on the 23-dimensional dual ν (ν_h = λ_up,h − λ_down,h; step
// 1/4 because ‖D‖² ≤ 4, soft threshold c/4) identifies which ramps are
// active and in which direction. Given such a pattern, snap solves the
// problem exactly: hours joined by active ramps form blocks z_h = t + o_h,
// and each block is a one-dimensional piecewise-quadratic problem solved by
// a scan over its sorted kinks; the ramp multipliers then follow from
// stationarity by a cumulative sum, and the KKT conditions are checked. A
// pattern that fails the check is corrected (wrong-sign ramps released,
// violated ramps added) a few times before FISTA continues. Without active
// ramps the first snap succeeds at once, which is the common case.
type chain struct {
	n, m     int
	gu, gov  float64 // γu, γo
	c        float64 // ramp limit
	ys       [][]float64
	idx      [][]int // original sample index of each sorted value
	mean     []float64
	tolP     float64 // primal tolerance of the KKT check
	tolD     float64 // dual (multiplier sign) tolerance
	maxIter  int
	iters    int
	z, g     []float64 // solution and certified per-hour subgradient
	nu       []float64
	pinned   []int // per hour: sorted index of the tied sample, or −1
	blockTmp []kinkRef
}

// valueIndex is a sample value with its original index.
type valueIndex struct {
	v float64
	i int
}

// kinkRef is one kink of a block: position t = y − o_h, hour, sorted index.
type kinkRef struct {
	t    float64
	hour int
	k    int
}

func newChain(ys [][]float64, m int, gu, gov, c float64, maxIter int) *chain {
	n := len(ys)
	ch := &chain{n: n, m: m, gu: gu, gov: gov, c: c, maxIter: maxIter}
	ch.ys, ch.idx, ch.mean = make([][]float64, n), make([][]int, n), make([]float64, n)
	scale := c
	pairs := make([]valueIndex, m)
	for h := 0; h < n; h++ {
		col := ys[h]
		for s, v := range col {
			pairs[s] = valueIndex{v, s}
		}
		// Ties broken by sample index: the first tied sample is the lowest.
		slices.SortFunc(pairs, func(a, b valueIndex) int {
			if c := cmp.Compare(a.v, b.v); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		ch.idx[h], ch.ys[h] = make([]int, m), make([]float64, m)
		var acc float64
		for s, p := range pairs {
			ch.ys[h][s], ch.idx[h][s] = p.v, p.i
			acc += p.v
			scale = max(scale, math.Abs(p.v))
		}
		ch.mean[h] = acc / float64(m)
	}
	ch.tolP = 1e-12 * (1 + scale)
	ch.tolD = 1e-12 * (1 + gu + gov + scale)
	ch.z, ch.g, ch.nu = make([]float64, n), make([]float64, n), make([]float64, max(n-1, 0))
	ch.pinned = make([]int, n)
	return ch
}

// root1D returns the minimiser of L·F-type block functions from their
// merged sorted kinks: with K kinks below t the derivative is
// L·t − shift + (γo K − γu (LM − K))/M, whose root falls in interval K for
// the smallest K with root(K) ≤ kinks[K]; if it falls left of that interval
// the minimiser is the kink K−1 (returned as kink ≥ 0, else −1).
func (ch *chain) root1D(kinks func(int) float64, total, l int, shift float64) (float64, int) {
	root := func(k int) float64 {
		return (shift - (ch.gov*float64(k)-ch.gu*float64(total-k))/float64(ch.m)) / float64(l)
	}
	k := sort.Search(total+1, func(k int) bool { return k == total || root(k) <= kinks(k) })
	if r := root(k); k == 0 || r > kinks(k-1) {
		return r, -1
	}
	return kinks(k - 1), k - 1
}

// hourOpt returns argmin_z F_h(z) + r z.
func (ch *chain) hourOpt(h int, r float64) float64 {
	ys := ch.ys[h]
	z, _ := ch.root1D(func(k int) float64 { return ys[k] }, ch.m, 1, ch.mean[h]-r)
	return z
}

// subgrad returns the subdifferential [lo, hi] of F_h at z.
func (ch *chain) subgrad(h int, z float64) (lo, hi float64) {
	ys := ch.ys[h]
	below := sort.SearchFloat64s(ys, z)
	above := ch.m - sort.Search(ch.m, func(k int) bool { return ys[k] > z })
	tied := ch.m - below - above
	base := z - ch.mean[h]
	m := float64(ch.m)
	lo = base + (ch.gov*float64(below)-ch.gu*float64(above+tied))/m
	hi = base + (ch.gov*float64(below+tied)-ch.gu*float64(above))/m
	return lo, hi
}

// solve runs FISTA on the dual with adaptive restart, snapping whenever
// the active-ramp pattern changes. It reports whether a KKT point was found.
func (ch *chain) solve() bool {
	nr := ch.n - 1
	pattern := make([]int8, nr)
	if ch.trySnap(pattern) {
		return true
	}
	nu, prev, xi, zt := make([]float64, nr), make([]float64, nr), make([]float64, nr), make([]float64, ch.n)
	last := slices.Clone(pattern)
	t := 1.0
	for ch.iters = 1; ch.iters <= ch.maxIter; ch.iters++ {
		for h := 0; h < ch.n; h++ {
			r := 0.0
			if h > 0 {
				r += xi[h-1]
			}
			if h < nr {
				r -= xi[h]
			}
			zt[h] = ch.hourOpt(h, r)
		}
		copy(prev, nu)
		restart := 0.0
		for h := 0; h < nr; h++ {
			nu[h] = softThreshold(xi[h]+(zt[h+1]-zt[h])/4, ch.c/4)
			restart += (xi[h] - nu[h]) * (nu[h] - prev[h])
		}
		tNext := (1 + math.Sqrt(1+4*t*t)) / 2
		if restart > 0 {
			t, tNext = 1, 1
		}
		for h := range xi {
			xi[h] = nu[h] + (t-1)/tNext*(nu[h]-prev[h])
		}
		t = tNext
		signs(pattern, nu)
		if !slices.Equal(pattern, last) {
			copy(last, pattern)
			if ch.trySnap(pattern) {
				return true
			}
		}
	}
	return false
}

func softThreshold(x, k float64) float64 {
	switch {
	case x > k:
		return x - k
	case x < -k:
		return x + k
	}
	return 0
}

func signs(dst []int8, x []float64) {
	for i, v := range x {
		switch {
		case v > 0:
			dst[i] = 1
		case v < 0:
			dst[i] = -1
		default:
			dst[i] = 0
		}
	}
}
