package solver

import (
	"math"
	"slices"
	"sort"
)

// trySnap solves exactly for the ramp pattern (+1: z_{h+1} − z_h = c,
// −1: z_h − z_{h+1} = c, 0: inactive) and, if the KKT check fails, for up to
// five corrected patterns; it reports success.
func (ch *chain) trySnap(pattern []int8) bool {
	p := slices.Clone(pattern)
	seen := [][]int8{slices.Clone(p)}
	for attempt := 0; attempt < 6; attempt++ {
		next := ch.snap(p)
		if next == nil {
			return true
		}
		for _, s := range seen {
			if slices.Equal(s, next) {
				return false
			}
		}
		seen = append(seen, slices.Clone(next))
		p = next
	}
	return false
}

// snap solves the equality-constrained problem of one ramp pattern block by
// block, recovers the multipliers and checks the KKT conditions. It returns
// nil on success (ch.z, ch.g, ch.nu, ch.pinned hold the solution), else the
// corrected pattern.
func (ch *chain) snap(pattern []int8) []int8 {
	for h0 := 0; h0 < ch.n; {
		h1 := h0
		for h1 < ch.n-1 && pattern[h1] != 0 {
			h1++
		}
		ch.solveBlock(h0, h1, pattern)
		ch.blockMultipliers(h0, h1)
		h0 = h1 + 1
	}
	var next []int8
	mark := func(h int, v int8) {
		if next == nil {
			next = slices.Clone(pattern)
		}
		next[h] = v
	}
	for h := 0; h < ch.n-1; h++ {
		if pattern[h] != 0 {
			if ch.nu[h]*float64(pattern[h]) < -ch.tolD {
				mark(h, 0)
			}
			continue
		}
		switch d := ch.z[h+1] - ch.z[h]; {
		case d > ch.c+ch.tolP:
			mark(h, 1)
		case -d > ch.c+ch.tolP:
			mark(h, -1)
		}
	}
	return next
}

// solveBlock sets z on hours h0..h1, joined by the active ramps of pattern:
// z_h = t + o_h with t minimising Σ_h F_h(t + o_h).
func (ch *chain) solveBlock(h0, h1 int, pattern []int8) {
	if h0 == h1 {
		ys := ch.ys[h0]
		z, _ := ch.root1D(func(k int) float64 { return ys[k] }, ch.m, 1, ch.mean[h0])
		ch.z[h0] = z
		return
	}
	kinks := ch.blockTmp[:0]
	o := make([]float64, h1-h0+1)
	shift := 0.0
	for h := h0; h <= h1; h++ {
		if h > h0 {
			o[h-h0] = o[h-h0-1] + float64(pattern[h-1])*ch.c
		}
		shift += ch.mean[h] - o[h-h0]
		for k, y := range ch.ys[h] {
			kinks = append(kinks, kinkRef{t: y - o[h-h0], hour: h, k: k})
		}
	}
	sort.Slice(kinks, func(a, b int) bool { return kinks[a].t < kinks[b].t })
	ch.blockTmp = kinks
	t, at := ch.root1D(func(k int) float64 { return kinks[k].t }, len(kinks), h1-h0+1, shift)
	if at < 0 {
		for h := h0; h <= h1; h++ {
			ch.z[h] = t + o[h-h0]
		}
		return
	}
	// Pin the kinked hour to its sample exactly; the others follow the ramps.
	ph := kinks[at].hour
	base := ch.ys[ph][kinks[at].k]
	for h := h0; h <= h1; h++ {
		ch.z[h] = base + (o[h-h0] - o[ph-h0])
	}
	ch.z[ph] = base
}

// blockMultipliers picks per-hour subgradients g_h ∈ ∂F_h(z_h) summing to
// zero over the block (kinked hours absorb the remainder, in hour order),
// records the tied sample of each kinked hour, and sets the multipliers of
// the block's ramps by stationarity, ν_h = ν_{h−1} + g_h (inactive ramps
// around the block have ν = 0).
func (ch *chain) blockMultipliers(h0, h1 int) {
	need := 0.0
	for h := h0; h <= h1; h++ {
		lo, hi := ch.subgrad(h, ch.z[h])
		ch.g[h] = lo
		need -= lo
		ch.pinned[h] = -1
		if hi > lo {
			ch.pinned[h] = sort.SearchFloat64s(ch.ys[h], ch.z[h])
		}
	}
	for h := h0; h <= h1 && need > 0; h++ {
		if ch.pinned[h] < 0 {
			continue
		}
		lo, hi := ch.subgrad(h, ch.z[h])
		add := math.Min(need, hi-lo)
		ch.g[h] += add
		need -= add
	}
	acc := 0.0
	for h := h0; h < h1; h++ {
		acc += ch.g[h]
		ch.nu[h] = acc
	}
	if h1 < ch.n-1 {
		ch.nu[h1] = 0
	}
}
