package nn

// Dispatchers of the row kernels (see rowKernels): the AVX2 assembly
// (fastmath_amd64.s, fastrow_amd64.s) on the multiple-of-8 head of a row
// when k.asm, the Go version on the tail and everywhere else.

// head is the part of an n-element row the assembly handles.
func (k rowKernels) head(n int) int {
	if !k.asm {
		return 0
	}
	return n &^ 7
}

// sigmoidRow sets out[j] = σ(x[j]) (see sigmoidGo); out may alias x.
func (k rowKernels) sigmoidRow(x, out []float32) {
	out = out[:len(x)]
	h := k.head(len(x))
	if h > 0 {
		sigmoidAVX2(&x[0], &out[0], h)
	}
	sigmoidGo(x[h:], out[h:])
}

// siluBiasRow sets v = p+b, sig = σ(v) and s = v·σ(v) = SiLU(v) (see
// siluBiasGo).
func (k rowKernels) siluBiasRow(p, b, sig, s []float32) {
	b, sig, s = b[:len(p)], sig[:len(p)], s[:len(p)]
	h := k.head(len(p))
	if h > 0 {
		siluBiasAVX2(&p[0], &b[0], &sig[0], &s[0], h)
	}
	siluBiasGo(p[h:], b[h:], sig[h:], s[h:])
}

// rowMoments returns Σx and Σx² in float64 (see rowMomentsGo).
func (k rowKernels) rowMoments(x []float32) (sum, sumsq float64) {
	h := k.head(len(x))
	if h > 0 {
		sum, sumsq = momentsAVX2(&x[0], h)
	}
	s, q := rowMomentsGo(x[h:])
	return sum + s, sumsq + q
}

// normRow sets out = γ⊙((x−μ)·rstd) + β; out may alias x.
func (k rowKernels) normRow(x []float32, mean, rstd float32, gamma, beta, out []float32) {
	gamma, beta, out = gamma[:len(x)], beta[:len(x)], out[:len(x)]
	h := k.head(len(x))
	if h > 0 {
		normAVX2(&x[0], &gamma[0], &beta[0], &out[0], h, mean, rstd)
	}
	normRowGo(x[h:], mean, rstd, gamma[h:], beta[h:], out[h:])
}

// backSweepA is the first sweep of blockRow.backward (see backSweepAGo).
func (k rowKernels) backSweepA(s, da, gamma, xh, dg, db []float32, mu, rstd float32) (sg, sgx float64) {
	n := len(da)
	s, gamma, xh, dg, db = s[:n], gamma[:n], xh[:n], dg[:n], db[:n]
	h := k.head(n)
	if h > 0 {
		sg, sgx = backSweepAAVX2(&s[0], &da[0], &gamma[0], &xh[0], &dg[0], &db[0], h, mu, rstd)
	}
	a, b := backSweepAGo(s[h:], da[h:], gamma[h:], xh[h:], dg[h:], db[h:], mu, rstd)
	return sg + a, sgx + b
}

// backSweepB is the second sweep of blockRow.backward (see backSweepBGo).
func (k rowKernels) backSweepB(da, gamma, xh, s, sig, dp, dbias []float32, rstd, mg, mgx float32) {
	n := len(da)
	gamma, xh, s, sig, dp, dbias = gamma[:n], xh[:n], s[:n], sig[:n], dp[:n], dbias[:n]
	h := k.head(n)
	if h > 0 {
		backSweepBAVX2(&da[0], &gamma[0], &xh[0], &s[0], &sig[0], &dp[0], &dbias[0], h, rstd, mg, mgx)
	}
	backSweepBGo(da[h:], gamma[h:], xh[h:], s[h:], sig[h:], dp[h:], dbias[h:], rstd, mg, mgx)
}

// adamUpdate applies one Adam step to a range of parameters (see
// adamUpdateGo).
func (k rowKernels) adamUpdate(c *adamCoef, w, g, m, v []float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	h := k.head(len(w))
	if h > 0 {
		adamAVX2(&w[0], &g[0], &m[0], &v[0], h, c)
	}
	adamUpdateGo(c, w[h:], g[h:], m[h:], v[h:])
}
