//go:build amd64 && !noasm

package nn

import "golang.org/x/sys/cpu"

// haveAsm reports whether the assembly kernels can run here: they are
// built (amd64 without the noasm tag) and the CPU has AVX2 and FMA.
var haveAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sigmoidAVX2 computes σ over n elements (n a multiple of 8) of x into out.
//
//go:noescape
func sigmoidAVX2(x, out *float32, n int)

// siluBiasAVX2 computes v = p+b, sig = σ(v), s = v·σ(v) over n elements (n
// a multiple of 8).
//
//go:noescape
func siluBiasAVX2(p, b, sig, s *float32, n int)
