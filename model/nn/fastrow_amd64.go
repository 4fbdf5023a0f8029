//go:build amd64 && !noasm

package nn

// AVX2+FMA kernels of the row passes (fastrow_amd64.s); the wrappers in
// fastrow.go run them on the multiple-of-8 head of a row and the Go
// versions on the tail, or on the whole row where the CPU lacks AVX2/FMA.

//go:noescape
func momentsAVX2(x *float32, n int) (sum, sumsq float64)

//go:noescape
func normAVX2(x, gamma, beta, out *float32, n int, mean, rstd float32)

//go:noescape
func backSweepAAVX2(s, da, gamma, xh, dg, db *float32, n int, mu, rstd float32) (sg, sgx float64)

//go:noescape
func backSweepBAVX2(da, gamma, xh, s, sig, dp, dbias *float32, n int, rstd, mg, mgx float32)

//go:noescape
func adamAVX2(w, grad, m, v *float32, n int, k *adamCoef)
