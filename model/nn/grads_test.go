package nn

import (
	"errors"
	"math"
	"testing"
)

func twoParams() []*Param {
	a, b := newParam("a", 1, 2), newParam("b", 2, 1)
	copy(a.G.Data, []float32{3, 0})
	copy(b.G.Data, []float32{0, 4})
	return []*Param{a, b}
}

func TestGradNormAndSnapshots(t *testing.T) {
	ps := twoParams()
	if got, want := GradNorm(ps), math.Sqrt(25+1e-12); got != want {
		t.Errorf("GradNorm = %v, want %v", got, want)
	}
	ZeroGrad(ps)
	if got := GradNorm(ps); got != 1e-6 {
		t.Errorf("GradNorm of zero = %v, want 1e-6 (the reference's sqrt(0+1e-12))", got)
	}
	ps = twoParams()
	snap := SnapshotGrads(ps, nil)
	if len(snap) != 4 || snap[0] != 3 || snap[3] != 4 {
		t.Fatalf("snapshot %v", snap)
	}
	ScaleGrads(ps, 2)
	if ps[1].G.Data[1] != 8 {
		t.Errorf("ScaleGrads: %v", ps[1].G.Data)
	}
	AddGrads(ps, -1, snap)
	if ps[0].G.Data[0] != 3 || ps[1].G.Data[1] != 4 {
		t.Errorf("AddGrads: %v %v", ps[0].G.Data, ps[1].G.Data)
	}
	SetGrads(ps, []float32{1, 2, 3, 4})
	if got := SnapshotGrads(ps, snap); &got[0] != &snap[0] || got[1] != 2 || got[2] != 3 {
		t.Errorf("SetGrads or snapshot reuse: %v", got)
	}
	defer func() {
		if r := recover(); r == nil || !errors.Is(r.(error), ErrShape) {
			t.Errorf("short snapshot: recovered %v, want ErrShape", r)
		}
	}()
	SetGrads(ps, []float32{1})
}

// TestMixGrads checks α·(‖ref‖/‖scaled‖ + 1e-8)·scaled + (1−α)·ref on
// scaled = [3, 0, 0, 4] (norm 5) and ref = [0, 10, 0, 0] (norm 10).
func TestMixGrads(t *testing.T) {
	ps := twoParams()
	scaled := []float32{3, 0, 0, 4}
	ref := []float32{0, 10, 0, 0}
	ratio := MixGrads(ps, scaled, ref, 0.2)
	n5, n10 := math.Sqrt(25+1e-12), math.Sqrt(100+1e-12)
	if want := n10 / n5; math.Abs(ratio-want) > 1e-15 {
		t.Errorf("ratio %v, want %v", ratio, want)
	}
	k := 0.2 * (n10/n5 + 1e-8)
	want := []float64{k * 3, 0.8 * 10, 0, k * 4}
	got := SnapshotGrads(ps, nil)
	for i, w := range want {
		if math.Abs(float64(got[i])-w) > 1e-6 {
			t.Errorf("direction[%d] = %v, want %v", i, got[i], w)
		}
	}
	// The rescaled term has the norm of ref: ‖k·scaled‖ = 0.2·10.
	if n := math.Hypot(float64(got[0]), float64(got[3])); math.Abs(n-2) > 1e-6 {
		t.Errorf("rescaled term norm %v, want 2", n)
	}
}

func TestFlatNormLarge(t *testing.T) {
	v := make([]float32, 10*flatChunkLen+3)
	for i := range v {
		v[i] = 0.5
	}
	if got, want := FlatNorm(v), math.Sqrt(0.25*float64(len(v))+1e-12); math.Abs(got-want) > 1e-12*want {
		t.Errorf("FlatNorm %v, want %v", got, want)
	}
}
