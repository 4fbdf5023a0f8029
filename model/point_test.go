package model

import (
	"math"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

func TestPointMSEGradient(t *testing.T) {
	p := &Point{Net: newFakeLayer(3, 2, true, newRNG(1))}
	x, y := randMatrix(5, 3, newRNG(2)), randMatrix(5, 2, newRNG(3))
	p.MSE(x, y, 1)
	fdCheck(t, p.Params(), gradsOf(p.Params()), func() float64 { return p.MSE(x, y, 0) }, 1e-3, 1e-3, 1)
}

func TestBiasOnly(t *testing.T) {
	b := NewBias(3)
	p := &Point{Net: b, Config: PointConfig{XDim: 2, YDim: 3, BiasOnly: true}}
	copy(b.B.W.Data, []float32{1, -2, 0.5})
	x, y := randMatrix(4, 2, newRNG(1)), randMatrix(4, 3, newRNG(2))
	out := p.Forward(x, nil)
	for i := 0; i < 4; i++ {
		if out.At(i, 1) != -2 {
			t.Fatalf("row %d: bias-only output %v, want the bias", i, out.Row(i))
		}
	}
	p.MSE(x, y, 1)
	// dMSE/db_k = 2·mean_i(b_k − y_ik)/3 (mean over 4·3 elements).
	for k := 0; k < 3; k++ {
		var want float64
		for i := 0; i < 4; i++ {
			want += 2 * (float64(b.B.W.Data[k]) - float64(y.At(i, k))) / 12
		}
		if math.Abs(float64(b.B.G.Data[k])-want) > 1e-6 {
			t.Errorf("bias gradient %d = %g, want %g", k, b.B.G.Data[k], want)
		}
	}
	tape := &nn.Tape{}
	b.Forward(x, tape)
	if dx := b.Backward(tape, y); dx.Rows != 4 || dx.Cols != 2 || dx.Data[0] != 0 {
		t.Errorf("bias-only dL/dx is %v, want zero 4×2", dx)
	}
}

func TestPolicySoftmax(t *testing.T) {
	p := &Policy{Net: newFakeLayer(3, 4, false, newRNG(1)), Config: PolicyConfig{XDim: 3, ZDim: 4, Output: OutputSoftmax}}
	x, c := randMatrix(5, 3, newRNG(2)), randMatrix(5, 4, newRNG(3))
	loss := func(z *nn.Matrix) float64 {
		var l float64
		for i, v := range z.Data {
			l += float64(c.Data[i]) * float64(v) * float64(v)
		}
		return l
	}
	tape := &nn.Tape{}
	z := p.Forward(x, tape)
	for i := 0; i < z.Rows; i++ {
		var s float64
		for _, v := range z.Row(i) {
			if v <= 0 {
				t.Fatalf("softmax output %v not positive", v)
			}
			s += float64(v)
		}
		if math.Abs(s-1) > 1e-6 {
			t.Fatalf("softmax row %d sums to %g", i, s)
		}
	}
	dz := nn.NewMatrix(5, 4)
	for i, v := range z.Data {
		dz.Data[i] = 2 * c.Data[i] * v
	}
	p.Backward(tape, dz)
	fdCheck(t, p.Params(), gradsOf(p.Params()), func() float64 { return loss(p.Forward(x, nil)) }, 1e-3, 1e-3, 1)
}

func TestPolicyIdentity(t *testing.T) {
	p := &Policy{Net: newFakeLayer(3, 2, true, newRNG(1)), Config: PolicyConfig{XDim: 3, ZDim: 2, Output: OutputNone}}
	x := randMatrix(3, 3, newRNG(2))
	tape := &nn.Tape{}
	z := p.Forward(x, tape)
	p.Backward(tape, z) // L = ½‖z‖²
	fdCheck(t, p.Params(), gradsOf(p.Params()), func() float64 {
		var l float64
		for _, v := range p.Forward(x, nil).Data {
			l += 0.5 * float64(v) * float64(v)
		}
		return l
	}, 1e-3, 1e-3, 1)
}
