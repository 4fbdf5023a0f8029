//go:build !amd64

package nn

// Off amd64 hasAVX2FMA is false and these are never called.

func momentsAVX2(x *float32, n int) (sum, sumsq float64) { panic("nn: no AVX2") }

func normAVX2(x, gamma, beta, out *float32, n int, mean, rstd float32) { panic("nn: no AVX2") }

func backSweepAAVX2(s, da, gamma, xh, dg, db *float32, n int, mu, rstd float32) (sg, sgx float64) {
	panic("nn: no AVX2")
}

func backSweepBAVX2(da, gamma, xh, s, sig, dp, dbias *float32, n int, rstd, mg, mgx float32) {
	panic("nn: no AVX2")
}

func adamAVX2(w, grad, m, v *float32, n int, k *adamCoef) { panic("nn: no AVX2") }
