//go:build amd64 && !noasm

#include "textflag.h"

DATA rowc<>+0x00(SB)/4, $0x3f800000 // 1
GLOBL rowc<>(SB), RODATA|NOPTR, $4

// HSUMPD adds the four float64 lanes of Y into the low lane of X (Y's
// lower half); T is a scratch X register.
#define HSUMPD(Y, X, T) \
	VEXTRACTF128 $1, Y, T \
	VADDPD       T, X, X  \
	VUNPCKHPD    X, X, T  \
	VADDSD       T, X, X

// CVTADD converts the eight float32 lanes of Y into float64 and adds them
// to the accumulators A (low four) and B (high four); T1, T2 are scratch.
#define CVTADD(Y, X, A, B, T1, T2) \
	VCVTPS2PD    X, T1    \
	VEXTRACTF128 $1, Y, X \
	VCVTPS2PD    X, T2    \
	VADDPD       T1, A, A \
	VADDPD       T2, B, B

// func momentsAVX2(x *float32, n int) (sum, sumsq float64)
// Σx and Σx² in float64 (squares of float32 values are exact), n a
// multiple of 8.
TEXT ·momentsAVX2(SB), NOSPLIT, $0-32
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	SHRQ   $3, CX
	JZ     mdone

mloop:
	VCVTPS2PD   (SI), Y4
	VCVTPS2PD   16(SI), Y5
	VADDPD      Y4, Y0, Y0
	VADDPD      Y5, Y1, Y1
	VFMADD231PD Y4, Y4, Y2
	VFMADD231PD Y5, Y5, Y3
	ADDQ        $32, SI
	DECQ        CX
	JNZ         mloop

mdone:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	HSUMPD(Y0, X0, X4)
	HSUMPD(Y2, X2, X5)
	VMOVSD X0, sum+16(FP)
	VMOVSD X2, sumsq+24(FP)
	VZEROUPPER
	RET

// func normAVX2(x, gamma, beta, out *float32, n int, mean, rstd float32)
// out = gamma·((x - mean)·rstd) + beta, n a multiple of 8.
TEXT ·normAVX2(SB), NOSPLIT, $0-48
	MOVQ         x+0(FP), SI
	MOVQ         gamma+8(FP), DX
	MOVQ         beta+16(FP), R8
	MOVQ         out+24(FP), DI
	MOVQ         n+32(FP), CX
	VBROADCASTSS mean+40(FP), Y6
	VBROADCASTSS rstd+44(FP), Y7
	SHRQ         $3, CX
	JZ           ndone

nloop:
	VMOVUPS     (SI), Y0
	VSUBPS      Y6, Y0, Y0
	VMULPS      Y7, Y0, Y0
	VMOVUPS     (R8), Y1
	VFMADD231PS (DX), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	ADDQ        $32, DI
	DECQ        CX
	JNZ         nloop
	VZEROUPPER

ndone:
	RET

// func backSweepAAVX2(s, da, gamma, xh, dg, db *float32, n int, mu, rstd float32) (sg, sgx float64)
// x̂ = (s - mu)·rstd into xh; dg += da·x̂; db += da; returns Σ da·γ and
// Σ da·γ·x̂ in float64. n a multiple of 8.
TEXT ·backSweepAAVX2(SB), NOSPLIT, $0-80
	MOVQ         s+0(FP), SI
	MOVQ         da+8(FP), DX
	MOVQ         gamma+16(FP), R8
	MOVQ         xh+24(FP), DI
	MOVQ         dg+32(FP), R9
	MOVQ         db+40(FP), R10
	MOVQ         n+48(FP), CX
	VBROADCASTSS mu+56(FP), Y14
	VBROADCASTSS rstd+60(FP), Y15
	VXORPD       Y10, Y10, Y10
	VXORPD       Y11, Y11, Y11
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	SHRQ         $3, CX
	JZ           adone

aloop:
	VMOVUPS     (SI), Y0
	VSUBPS      Y14, Y0, Y0
	VMULPS      Y15, Y0, Y0       // x̂
	VMOVUPS     Y0, (DI)
	VMOVUPS     (DX), Y1          // da
	VMOVUPS     (R9), Y2
	VFMADD231PS Y1, Y0, Y2        // dg += da·x̂
	VMOVUPS     Y2, (R9)
	VADDPS      (R10), Y1, Y3     // db += da
	VMOVUPS     Y3, (R10)
	VMULPS      (R8), Y1, Y4      // g = da·γ
	VMULPS      Y0, Y4, Y5        // g·x̂
	CVTADD(Y4, X4, Y10, Y11, Y6, Y7)
	CVTADD(Y5, X5, Y12, Y13, Y8, Y9)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	ADDQ        $32, DI
	ADDQ        $32, R9
	ADDQ        $32, R10
	DECQ        CX
	JNZ         aloop

adone:
	VADDPD Y11, Y10, Y10
	VADDPD Y13, Y12, Y12
	HSUMPD(Y10, X10, X0)
	HSUMPD(Y12, X12, X1)
	VMOVSD X10, sg+64(FP)
	VMOVSD X12, sgx+72(FP)
	VZEROUPPER
	RET

// func backSweepBAVX2(da, gamma, xh, s, sig, dp, dbias *float32, n int, rstd, mg, mgx float32)
// dp = rstd·(da·γ - mg - x̂·mgx)·(σ + s·(1-σ)); dbias += dp. n a multiple
// of 8.
TEXT ·backSweepBAVX2(SB), NOSPLIT, $0-76
	MOVQ         da+0(FP), SI
	MOVQ         gamma+8(FP), DX
	MOVQ         xh+16(FP), R8
	MOVQ         s+24(FP), R9
	MOVQ         sig+32(FP), R10
	MOVQ         dp+40(FP), DI
	MOVQ         dbias+48(FP), R11
	MOVQ         n+56(FP), CX
	VBROADCASTSS rstd+64(FP), Y13
	VBROADCASTSS mg+68(FP), Y14
	VBROADCASTSS mgx+72(FP), Y15
	VBROADCASTSS rowc<>+0x00(SB), Y12
	SHRQ         $3, CX
	JZ           bdone

bloop:
	VMOVUPS      (SI), Y0
	VMULPS       (DX), Y0, Y0     // da·γ
	VSUBPS       Y14, Y0, Y0      // - mg
	VMOVUPS      (R8), Y1
	VFNMADD231PS Y15, Y1, Y0      // - x̂·mgx
	VMULPS       Y13, Y0, Y0      // · rstd
	VMOVUPS      (R10), Y2        // σ
	VSUBPS       Y2, Y12, Y3      // 1 - σ
	VMOVUPS      (R9), Y4         // s
	VFMADD213PS  Y2, Y4, Y3       // s·(1-σ) + σ
	VMULPS       Y3, Y0, Y0
	VMOVUPS      Y0, (DI)
	VADDPS       (R11), Y0, Y5
	VMOVUPS      Y5, (R11)
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, R8
	ADDQ         $32, R9
	ADDQ         $32, R10
	ADDQ         $32, DI
	ADDQ         $32, R11
	DECQ         CX
	JNZ          bloop
	VZEROUPPER

bdone:
	RET

// func adamAVX2(w, grad, m, v *float32, n int, k *adamCoef)
// One Adam step over n (a multiple of 8) parameters; see adamUpdate.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ         w+0(FP), SI
	MOVQ         grad+8(FP), DX
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y7   // b1
	VBROADCASTSS 4(AX), Y8   // c1
	VBROADCASTSS 8(AX), Y9   // b2
	VBROADCASTSS 12(AX), Y10 // c2
	VBROADCASTSS 16(AX), Y11 // step
	VBROADCASTSS 20(AX), Y12 // ibc2
	VBROADCASTSS 24(AX), Y13 // eps
	VBROADCASTSS 28(AX), Y14 // decay
	VBROADCASTSS 32(AX), Y15 // l2
	SHRQ         $3, CX
	JZ           wdone

wloop:
	VMOVUPS      (SI), Y0          // θ
	VMOVUPS      (DX), Y1          // g
	VFMADD231PS  Y15, Y0, Y1       // g += l2·θ
	VMULPS       Y14, Y0, Y0       // θ·decay
	VMULPS       (R8), Y7, Y2      // m·b1
	VFMADD231PS  Y8, Y1, Y2        // + g·c1
	VMOVUPS      Y2, (R8)
	VMULPS       Y1, Y1, Y1        // g²
	VMULPS       (R9), Y9, Y3      // v·b2
	VFMADD231PS  Y10, Y1, Y3       // + g²·c2
	VMOVUPS      Y3, (R9)
	VSQRTPS      Y3, Y3
	VFMADD213PS  Y13, Y12, Y3      // √v·ibc2 + eps
	VDIVPS       Y3, Y2, Y2        // m / denom
	VFNMADD231PS Y11, Y2, Y0       // θ -= step·m/denom
	VMOVUPS      Y0, (SI)
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, R8
	ADDQ         $32, R9
	DECQ         CX
	JNZ          wloop
	VZEROUPPER

wdone:
	RET
