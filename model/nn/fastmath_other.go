//go:build !amd64

package nn

// hasAVX2FMA is false off amd64: there is only the Go kernel.
var hasAVX2FMA = false

// sigmoidRow sets out[j] = σ(x[j]) (see sigmoidGo); out may alias x.
func sigmoidRow(x, out []float32) { sigmoidGo(x, out) }

// siluBiasRow sets v = p+b, sig = σ(v) and s = SiLU(v) (see siluBiasGo).
func siluBiasRow(p, b, sig, s []float32) { siluBiasGo(p, b, sig, s) }
