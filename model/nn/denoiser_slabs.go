package nn

// slabPool recycles a network's tape-record slabs: each workspace holds
// one, so the Denoiser's body records and its time embedding's are both
// recycled. A reparameterized chain of S steps holds S records at once and
// frees them all in its backward pass; the next chain needs as many again.
// Allocating them afresh costs more than the network's elementwise work:
// every page of a new slab faults on first touch (about a quarter of the
// time of a 20-step chain over 1600 rows at the power shape) and the
// garbage drives the collector. The pool therefore keeps as many free
// slabs as records were ever outstanding at once, so steady state holds no
// more memory than the peak a chain needs anyway;
// Denoiser.ReleaseWorkspace frees them. Records dropped without a backward
// pass (a cancelled chain) are not returned and only raise that bound.
type slabPool struct {
	free      [][]float32
	out, peak int // slabs taken and not given back; the most at once
}

// take returns a slab of n elements, reusing a free one of capacity n to 2n
// when there is one. Its content is stale: the record's forward pass must
// write every element.
func (p *slabPool) take(n int) []float32 {
	p.out++
	p.peak = max(p.peak, p.out)
	for i, s := range p.free {
		if cap(s) >= n && cap(s) <= 2*n {
			last := len(p.free) - 1
			p.free[i] = p.free[last]
			p.free[last] = nil
			p.free = p.free[:last]
			return s[:n]
		}
	}
	return make([]float32, n)
}

// give recycles a slab once its record's backward pass is done.
func (p *slabPool) give(s []float32) {
	p.out = max(p.out-1, 0)
	if len(p.free) < p.peak {
		p.free = append(p.free, s[:cap(s)])
	}
}
