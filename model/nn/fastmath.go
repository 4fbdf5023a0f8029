package nn

import "math"

// The SiLU layers evaluate one logistic function per hidden unit per row
// (about 800 thousand per training step of the power denoiser at h = 256),
// which in scalar Go costs as much as the matrix products around it.
// sigmoidRow therefore runs a branch-free float32 exponential over a whole
// row, in AVX2+FMA assembly eight lanes at a time where the CPU has them
// (fastmath_amd64.s) and in the pure-Go sigmoidGo otherwise and for the
// tail: e^z with z = n·ln2 + r, |r| ≤ ln2/2, e^r by Cephes' degree-6
// polynomial, 2^n put into the exponent bits, n found by the
// round-to-nearest trick of adding 1.5·2²³. The relative error is about
// 1e-7 (TestSigmoidRow), below the float32 noise of the matrix products.
// The two paths may differ in the last bit (FMA rounding); a given machine
// always takes the same path, so results stay reproducible on it.

const (
	sigLo   = -88.0 // σ(x) for x below is < 7e-39: clamp (keeps 2^n normal)
	sigHi   = 87.0  // σ(x) for x above rounds to 1 in float32
	log2e   = 1.44269504088896341
	ln2Hi   = 0.693359375    // ln 2 split so that n·ln2Hi is exact
	ln2Lo   = -2.12194440e-4 // ln 2 − ln2Hi
	expP0   = 1.9875691500e-4
	expP1   = 1.3981999507e-3
	expP2   = 8.3334519073e-3
	expP3   = 4.1665795894e-2
	expP4   = 1.6666665459e-1
	expP5   = 5.0000001201e-1
	roundC  = 12582912   // 1.5·2²³: x + roundC rounds x to an integer in the low mantissa bits
	roundCb = 0x4B400000 // the bits of roundC
)

// sigmoidGo sets out[j] = σ(x[j]) = 1/(1 + e^(−x[j])). Inputs are clamped
// to [−88, 87], which changes σ by less than 1e-38; NaN propagates. out may
// alias x.
func sigmoidGo(x, out []float32) {
	out = out[:len(x)]
	for j, v := range x {
		z := -min(max(v, sigLo), sigHi) // e^z with z ∈ [−87, 88]
		t := z*log2e + roundC
		nf := t - roundC
		n := int32(math.Float32bits(t)) - roundCb
		r := z - nf*ln2Hi - nf*ln2Lo
		p := ((((expP0*r+expP1)*r+expP2)*r+expP3)*r+expP4)*r + expP5
		p = p*r*r + r + 1
		// 2^n·p as 2·(2^(n−1)·p): n reaches 127 for z near 88, and 2^127
		// is the largest power of two with float32 exponent bits.
		out[j] = 1 / (1 + 2*p*math.Float32frombits(uint32(n+126)<<23))
	}
}

// siluBiasGo sets, with v = p+b, sig = σ(v) and s = v·σ(v) = SiLU(v). p is
// left unchanged; sig and s must not alias p or b.
func siluBiasGo(p, b, sig, s []float32) {
	b, sig, s = b[:len(p)], sig[:len(p)], s[:len(p)]
	for j, v := range p {
		sig[j] = v + b[j]
	}
	sigmoidGo(sig, sig)
	for j, v := range p {
		s[j] = (v + b[j]) * sig[j]
	}
}
