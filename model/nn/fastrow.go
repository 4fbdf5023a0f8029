package nn

// Dispatchers of the row kernels: the AVX2 assembly (fastrow_amd64.s) on
// the multiple-of-8 head of a row where the CPU has AVX2 and FMA, the Go
// version on the tail and everywhere else. The two paths agree to float32
// rounding (the assembly fuses multiply-adds); a machine always takes the
// same path, so its results are reproducible.

// head is the part of an n-element row the assembly handles.
func head(n int) int {
	if !hasAVX2FMA {
		return 0
	}
	return n &^ 7
}

// rowMoments returns Σx and Σx² in float64 (see rowMomentsGo).
func rowMoments(x []float32) (sum, sumsq float64) {
	h := head(len(x))
	if h > 0 {
		sum, sumsq = momentsAVX2(&x[0], h)
	}
	s, q := rowMomentsGo(x[h:])
	return sum + s, sumsq + q
}

// normRow sets out = γ⊙((x−μ)·rstd) + β; out may alias x.
func normRow(x []float32, mean, rstd float32, gamma, beta, out []float32) {
	gamma, beta, out = gamma[:len(x)], beta[:len(x)], out[:len(x)]
	h := head(len(x))
	if h > 0 {
		normAVX2(&x[0], &gamma[0], &beta[0], &out[0], h, mean, rstd)
	}
	normRowGo(x[h:], mean, rstd, gamma[h:], beta[h:], out[h:])
}

// backSweepA is the first sweep of blockRow.backward (see backSweepAGo).
func backSweepA(s, da, gamma, xh, dg, db []float32, mu, rstd float32) (sg, sgx float64) {
	n := len(da)
	s, gamma, xh, dg, db = s[:n], gamma[:n], xh[:n], dg[:n], db[:n]
	h := head(n)
	if h > 0 {
		sg, sgx = backSweepAAVX2(&s[0], &da[0], &gamma[0], &xh[0], &dg[0], &db[0], h, mu, rstd)
	}
	a, b := backSweepAGo(s[h:], da[h:], gamma[h:], xh[h:], dg[h:], db[h:], mu, rstd)
	return sg + a, sgx + b
}

// backSweepB is the second sweep of blockRow.backward (see backSweepBGo).
func backSweepB(da, gamma, xh, s, sig, dp, dbias []float32, rstd, mg, mgx float32) {
	n := len(da)
	gamma, xh, s, sig, dp, dbias = gamma[:n], xh[:n], s[:n], sig[:n], dp[:n], dbias[:n]
	h := head(n)
	if h > 0 {
		backSweepBAVX2(&da[0], &gamma[0], &xh[0], &s[0], &sig[0], &dp[0], &dbias[0], h, rstd, mg, mgx)
	}
	backSweepBGo(da[h:], gamma[h:], xh[h:], s[h:], sig[h:], dp[h:], dbias[h:], rstd, mg, mgx)
}

// adamUpdate applies one Adam step to a range of parameters (see
// adamUpdateGo).
func adamUpdate(k *adamCoef, w, g, m, v []float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	h := head(len(w))
	if h > 0 {
		adamAVX2(&w[0], &g[0], &m[0], &v[0], h, k)
	}
	adamUpdateGo(k, w[h:], g[h:], m[h:], v[h:])
}
