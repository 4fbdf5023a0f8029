//go:build amd64 && !noasm

#include "textflag.h"

// Constants of sigmoidAVX2, one float32 (or int32) each; see fastmath.go.
DATA sigc<>+0x00(SB)/4, $0xc2b00000 // -88: lower clamp of x
DATA sigc<>+0x04(SB)/4, $0x42ae0000 // 87: upper clamp of x
DATA sigc<>+0x08(SB)/4, $0x80000000 // sign bit
DATA sigc<>+0x0c(SB)/4, $0x3fb8aa3b // log2(e)
DATA sigc<>+0x10(SB)/4, $0x4b400000 // 1.5·2^23, rounds to an integer
DATA sigc<>+0x14(SB)/4, $0x3f318000 // ln2Hi
DATA sigc<>+0x18(SB)/4, $0xb95e8083 // ln2Lo
DATA sigc<>+0x1c(SB)/4, $0x3f800000 // 1
DATA sigc<>+0x20(SB)/4, $0xb4c0007e // 126 - 0x4B400000: bits(t) + this = n + 126
DATA sigc<>+0x24(SB)/4, $0x39506967 // expP0
DATA sigc<>+0x28(SB)/4, $0x3ab743ce // expP1
DATA sigc<>+0x2c(SB)/4, $0x3c088908 // expP2
DATA sigc<>+0x30(SB)/4, $0x3d2aa9c1 // expP3
DATA sigc<>+0x34(SB)/4, $0x3e2aaaaa // expP4
DATA sigc<>+0x38(SB)/4, $0x3f000000 // expP5
GLOBL sigc<>(SB), RODATA|NOPTR, $60

// LOGISTIC takes v in Y0 and leaves σ(v) in Y3, using Y1, Y2, Y4 and the
// constants that SIGCONSTS loads into Y5-Y13 and Y15: the algorithm of
// sigmoidGo. In order: clamp v to [-88, 87] (max then min with v as the
// second operand, so a NaN passes through); z = -v; t = z·log2e + 1.5·2^23
// and nf = t - 1.5·2^23 = round(z·log2e); r = z - nf·ln2Hi - nf·ln2Lo;
// p = ((((P0·r + P1)·r + P2)·r + P3)·r + P4)·r + P5, p = p·r² + r + 1 = e^r;
// the low bits of t plus (126 - bits(1.5·2^23)) are n + 126, shifted into
// the exponent field they make 2^(n-1); e^z = 2·p·2^(n-1); σ = 1/(1 + e^z).
#define SIGCONSTS \
	VBROADCASTSS sigc<>+0x00(SB), Y5 \
	VBROADCASTSS sigc<>+0x04(SB), Y6 \
	VBROADCASTSS sigc<>+0x08(SB), Y7 \
	VBROADCASTSS sigc<>+0x0c(SB), Y8 \
	VBROADCASTSS sigc<>+0x10(SB), Y9 \
	VBROADCASTSS sigc<>+0x14(SB), Y10 \
	VBROADCASTSS sigc<>+0x18(SB), Y11 \
	VBROADCASTSS sigc<>+0x1c(SB), Y12 \
	VPBROADCASTD sigc<>+0x20(SB), Y13 \
	VBROADCASTSS sigc<>+0x38(SB), Y15

#define LOGISTIC \
	VMAXPS       Y0, Y5, Y0 \
	VMINPS       Y0, Y6, Y0 \
	VXORPS       Y7, Y0, Y0 \
	VMOVAPS      Y9, Y1 \
	VFMADD231PS  Y8, Y0, Y1 \
	VSUBPS       Y9, Y1, Y2 \
	VFNMADD231PS Y10, Y2, Y0 \
	VFNMADD231PS Y11, Y2, Y0 \
	VBROADCASTSS sigc<>+0x24(SB), Y3 \
	VBROADCASTSS sigc<>+0x28(SB), Y4 \
	VFMADD213PS  Y4, Y0, Y3 \
	VBROADCASTSS sigc<>+0x2c(SB), Y4 \
	VFMADD213PS  Y4, Y0, Y3 \
	VBROADCASTSS sigc<>+0x30(SB), Y4 \
	VFMADD213PS  Y4, Y0, Y3 \
	VBROADCASTSS sigc<>+0x34(SB), Y4 \
	VFMADD213PS  Y4, Y0, Y3 \
	VFMADD213PS  Y15, Y0, Y3 \
	VMULPS       Y0, Y0, Y4 \
	VFMADD213PS  Y0, Y4, Y3 \
	VADDPS       Y12, Y3, Y3 \
	VPADDD       Y13, Y1, Y1 \
	VPSLLD       $23, Y1, Y1 \
	VMULPS       Y1, Y3, Y3 \
	VADDPS       Y3, Y3, Y3 \
	VADDPS       Y12, Y3, Y3 \
	VDIVPS       Y3, Y12, Y3

// func sigmoidAVX2(x, out *float32, n int)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   sigdone
	SIGCONSTS

sigloop:
	VMOVUPS (SI), Y0
	LOGISTIC
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     sigloop
	VZEROUPPER

sigdone:
	RET

// func siluBiasAVX2(p, b, sig, s *float32, n int)
// v = p + b; sig = σ(v); s = v·σ(v), eight lanes per iteration.
TEXT ·siluBiasAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ b+8(FP), DX
	MOVQ sig+16(FP), DI
	MOVQ s+24(FP), R8
	MOVQ n+32(FP), CX
	SHRQ $3, CX
	JZ   siludone
	SIGCONSTS

siluloop:
	VMOVUPS (SI), Y14
	VADDPS  (DX), Y14, Y14
	VMOVAPS Y14, Y0
	LOGISTIC
	VMOVUPS Y3, (DI)
	VMULPS  Y3, Y14, Y3
	VMOVUPS Y3, (R8)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	ADDQ    $32, R8
	DECQ    CX
	JNZ     siluloop
	VZEROUPPER

siludone:
	RET
