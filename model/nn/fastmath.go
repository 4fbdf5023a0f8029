package nn

import "math"

// The network's elementwise passes evaluate one exponential per hidden unit
// per row in the forward pass and again in the backward pass (millions per
// training step). math.Exp works in float64 and costs several times more than
// the float32 polynomial below, which is accurate to about 2 ulp of float32
// (tested against math.Exp), far below the float32 noise of the surrounding
// matrix products.

const (
	expHi    = 88.72283  // above this exp overflows float32
	expLo    = -87.33654 // below this exp is subnormal; flushed to 0
	log2e    = 1.44269504088896341
	ln2Hi    = 0.693359375     // ln 2 split so that n·ln2Hi is exact
	ln2Lo    = -2.12194440e-4  // ln 2 − ln2Hi
	expP0    = 1.9875691500e-4 // Cephes expf minimax coefficients
	expP1    = 1.3981999507e-3 //
	expP2    = 8.3334519073e-3 //
	expP3    = 4.1665795894e-2 //
	expP4    = 1.6666665459e-1 //
	expP5    = 5.0000001201e-1 //
	float32B = 127             // exponent bias of float32
)

// exp32 returns e^x in float32: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a
// degree-6 polynomial, and 2^n assembled in the exponent bits.
func exp32(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > expHi:
		return float32(math.Inf(1))
	case x < expLo:
		return 0
	}
	fn := x*log2e + 0.5
	n := int32(fn)
	if fn < 0 && float32(n) != fn {
		n-- // floor for negative arguments; int32() truncates toward zero
	}
	nf := float32(n)
	r := x - nf*ln2Hi - nf*ln2Lo
	p := ((((expP0*r+expP1)*r+expP2)*r+expP3)*r+expP4)*r + expP5
	p = p*r*r + r + 1
	if n > float32B {
		// 2^128 has no float32 exponent; e^x for x in (88.38, 88.72] is
		// still finite, so scale in two steps.
		return 2 * p * math.Float32frombits(uint32(n-1+float32B)<<23)
	}
	return p * math.Float32frombits(uint32(n+float32B)<<23)
}

// sigmoid32 returns 1/(1+e^(−x)).
func sigmoid32(x float32) float32 {
	return 1 / (1 + exp32(-x))
}
