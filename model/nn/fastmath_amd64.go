package nn

import "golang.org/x/sys/cpu"

// hasAVX2FMA selects the assembly kernel; tests flip it to cover both paths.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sigmoidAVX2 computes σ over n elements (n a multiple of 8) of x into out.
//
//go:noescape
func sigmoidAVX2(x, out *float32, n int)

// siluBiasAVX2 computes v = p+b, sig = σ(v), s = v·σ(v) over n elements (n
// a multiple of 8).
//
//go:noescape
func siluBiasAVX2(p, b, sig, s *float32, n int)

// siluBiasRow sets v = p+b, sig = σ(v) and s = v·σ(v) = SiLU(v) (see
// siluBiasGo).
func siluBiasRow(p, b, sig, s []float32) {
	b, sig, s = b[:len(p)], sig[:len(p)], s[:len(p)]
	n := 0
	if hasAVX2FMA {
		n = len(p) &^ 7
		if n > 0 {
			siluBiasAVX2(&p[0], &b[0], &sig[0], &s[0], n)
		}
	}
	siluBiasGo(p[n:], b[n:], sig[n:], s[n:])
}

// sigmoidRow sets out[j] = σ(x[j]) (see sigmoidGo); out may alias x.
func sigmoidRow(x, out []float32) {
	out = out[:len(x)]
	n := 0
	if hasAVX2FMA {
		n = len(x) &^ 7
		if n > 0 {
			sigmoidAVX2(&x[0], &out[0], n)
		}
	}
	sigmoidGo(x[n:], out[n:])
}
