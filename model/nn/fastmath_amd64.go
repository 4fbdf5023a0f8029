package nn

import "golang.org/x/sys/cpu"

// hasAVX2FMA selects the assembly kernel; tests flip it to cover both paths.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sigmoidAVX2 computes σ over n elements (n a multiple of 8) of x into out.
//
//go:noescape
func sigmoidAVX2(x, out *float32, n int)

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
