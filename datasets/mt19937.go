package datasets

// MT19937 is the 32-bit Mersenne Twister as numpy's legacy RandomState uses
// it, so that a seed gives the same hold-out permutation as
// np.random.seed(seed); np.random.permutation(n) (power.md §1.5).
type MT19937 struct {
	mt  [624]uint32
	idx int
}

// NewMT19937 seeds the generator with init_genrand:
// mt[0] = seed, mt[i] = 1812433253·(mt[i−1] ^ (mt[i−1] >> 30)) + i.
func NewMT19937(seed uint32) *MT19937 {
	g := &MT19937{idx: 624}
	g.mt[0] = seed
	for i := 1; i < 624; i++ {
		prev := g.mt[i-1]
		g.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return g
}

// twist regenerates the 624-word state block.
func (g *MT19937) twist() {
	const upper, lower, matrixA = 0x80000000, 0x7fffffff, 0x9908b0df
	for i := 0; i < 624; i++ {
		y := g.mt[i]&upper | g.mt[(i+1)%624]&lower
		v := g.mt[(i+397)%624] ^ y>>1
		if y&1 != 0 {
			v ^= matrixA
		}
		g.mt[i] = v
	}
	g.idx = 0
}

// Uint32 returns the next tempered 32-bit output.
func (g *MT19937) Uint32() uint32 {
	if g.idx >= 624 {
		g.twist()
	}
	y := g.mt[g.idx]
	g.idx++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// Interval returns a uniform integer in [0, max] by numpy's legacy
// random_interval: mask to the smallest 2^k−1 ≥ max and reject draws above max.
func (g *MT19937) Interval(max uint32) uint32 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := g.Uint32() & mask; v <= max {
			return v
		}
	}
}

// Permutation returns a permutation of 0..n−1 by numpy's legacy shuffle:
// for i = n−1 down to 1, swap a[i] with a[Interval(i)].
func (g *MT19937) Permutation(n int) []int {
	if n < 0 || int64(n) > 1<<32 {
		panic("datasets: Permutation size out of range")
	}
	a := make([]int, n)
	for i := range a {
		a[i] = i
	}
	for i := n - 1; i >= 1; i-- {
		j := g.Interval(uint32(i))
		a[i], a[j] = a[j], a[i]
	}
	return a
}

// NumpyPermutation returns what np.random.seed(seed); np.random.permutation(n)
// returns. np.random.choice(n, k, replace=False) is its first k entries.
func NumpyPermutation(seed uint32, n int) []int {
	return NewMT19937(seed).Permutation(n)
}
