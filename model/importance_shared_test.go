package model

import (
	"context"
	"math"
	"testing"
)

// Under shared draws (Shared = 3, two groups, K = 4) the sampler's history
// gets one entry per independent (t, ε) draw: 8, not 24 copies of 8 draws.
func TestScoreFunctionSharedSamplerHistory(t *testing.T) {
	d, _, y, x, w := sfCase(t)
	s, _ := NewLossSecondMoment(50, 10, 1e-3)
	if _, err := d.ScoreFunction(context.Background(), y, x, w, ScoreFunction{K: 4, Scale: 1, Sampler: s, Shared: 3}, newRNG(7)); err != nil {
		t.Fatal(err)
	}
	var n int
	for _, c := range s.Count {
		n += c
	}
	if n != 8 {
		t.Errorf("sampler holds %d losses after 8 independent draws shared by 3 samples each", n)
	}
}

// groupRMS folds each group's rows k into the root mean square of their
// losses, in the unexpanded draw order.
func TestGroupRMS(t *testing.T) {
	// K = 2, shared = 2, two groups: rows (g·2 + i)·2 + k.
	losses := []float64{3, 1, 4, 1, 0, 2, 0, 2}
	got := groupRMS(losses, 2, 2)
	want := []float64{5 / math.Sqrt2, 1, 0, 2}
	if len(got) != len(want) {
		t.Fatalf("groupRMS gave %d values, want %d", len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("groupRMS[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	if r := expandGroups(got, 2, 2); len(r) != len(losses) {
		t.Errorf("expandGroups of the folded losses has %d rows, want %d", len(r), len(losses))
	}
}
