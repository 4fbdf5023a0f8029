package model

import (
	"context"
	"errors"
	"math"
	"testing"
)

// A NaN sample is reported before any gradient is accumulated: the
// parameters' G stay exactly as they were (the diffusion and the Gaussian
// score functions alike).
func TestScoreFunctionNaNSampleLeavesGradients(t *testing.T) {
	d, net, y, x, w := sfCase(t)
	y.Data[4] = float32(math.NaN())
	before := gradsOf(net.Params())
	_, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 4, Scale: 1, Chunk: 5}, newRNG(4))
	if !errors.Is(err, ErrNumeric) {
		t.Fatalf("error %v, want ErrNumeric", err)
	}
	assertSameGrads(t, before, gradsOf(net.Params()))

	g := newFakeGaussian(3, 5, 2, newRNG(1))
	gx := randMatrix(2, 3, newRNG(2))
	gy := g.Sample(gx, 2, newRNG(3))
	gy.Data[1] = float32(math.Inf(1))
	before = gradsOf(g.Params())
	if _, err := g.ScoreFunction(gx, gy, []float64{1, -1, 0.5, 2}, GaussianSF{Scale: 1}); !errors.Is(err, ErrNumeric) {
		t.Fatalf("Gaussian: error %v, want ErrNumeric", err)
	}
	assertSameGrads(t, before, gradsOf(g.Params()))
}

func assertSameGrads(t *testing.T, before, after []float64) {
	t.Helper()
	for i := range before {
		if before[i] != after[i] && !(math.IsNaN(before[i]) && math.IsNaN(after[i])) {
			t.Fatalf("gradient %d changed from %g to %g", i, before[i], after[i])
		}
	}
}
