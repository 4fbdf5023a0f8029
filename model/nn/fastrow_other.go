//go:build !amd64 || noasm

package nn

// Off amd64, and on amd64 under the noasm build tag (as gonum has), only
// the Go kernels exist: haveAsm is false and the stubs below are never
// called.
const haveAsm = false

func sigmoidAVX2(x, out *float32, n int) { panic("nn: no AVX2") }

func siluBiasAVX2(p, b, sig, s *float32, n int) { panic("nn: no AVX2") }

func momentsAVX2(x *float32, n int) (sum, sumsq float64) { panic("nn: no AVX2") }

func normAVX2(x, gamma, beta, out *float32, n int, mean, rstd float32) { panic("nn: no AVX2") }

func backSweepAAVX2(s, da, gamma, xh, dg, db *float32, n int, mu, rstd float32) (sg, sgx float64) {
	panic("nn: no AVX2")
}

func backSweepBAVX2(da, gamma, xh, s, sig, dp, dbias *float32, n int, rstd, mg, mgx float32) {
	panic("nn: no AVX2")
}

func adamAVX2(w, grad, m, v *float32, n int, k *adamCoef) { panic("nn: no AVX2") }
