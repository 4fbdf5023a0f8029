package nn

// Kernels names the element-wise kernels this process uses: "avx2+fma"
// (the assembly of fastmath_amd64.s and fastrow_amd64.s) or "go". The two
// agree to a few ulps, not bit for bit, so run records keep the choice
// (see pipeline's Config.Backend).
func Kernels() string {
	if hasAVX2FMA {
		return "avx2+fma"
	}
	return "go"
}
