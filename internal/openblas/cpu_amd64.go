package openblas

import "golang.org/x/sys/cpu"

// hasAVX512 reports the AVX-512 subsets OpenBLAS's SkylakeX kernels use.
func hasAVX512() bool {
	x := cpu.X86
	return x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL && x.HasAVX2 && x.HasFMA
}

// hasAVX512BF16 adds the bfloat16 instructions of the Cooperlake kernels.
func hasAVX512BF16() bool { return hasAVX512() && cpu.X86.HasAVX512BF16 }

// hasAVX2FMA reports what the Haswell and Zen kernels use.
func hasAVX2FMA() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }
