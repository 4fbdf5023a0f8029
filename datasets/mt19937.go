package datasets

import "gonum.org/v1/gonum/mathext/prng"

// MT19937 is the 32-bit Mersenne Twister as numpy's legacy RandomState uses
// it, so that a seed gives the same hold-out permutation as
// np.random.seed(seed); np.random.permutation(n) (power.md §1.5). The
// generator core is gonum's prng.MT19937 (init_genrand seeding, the
// reference tempering); this type adds numpy's bounded draws and shuffle.
type MT19937 struct {
	src *prng.MT19937
}

// NewMT19937 seeds the generator with init_genrand:
// mt[0] = seed, mt[i] = 1812433253·(mt[i−1] ^ (mt[i−1] >> 30)) + i.
func NewMT19937(seed uint32) *MT19937 {
	src := prng.NewMT19937()
	src.Seed(uint64(seed))
	return &MT19937{src: src}
}

// Uint32 returns the next tempered 32-bit output.
func (g *MT19937) Uint32() uint32 { return g.src.Uint32() }

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
