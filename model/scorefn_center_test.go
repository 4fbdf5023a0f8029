package model

import (
	"math"
	"testing"
)

// CenterWeights subtracts each program's mean weight and leaves the input
// alone.
func TestCenterWeights(t *testing.T) {
	w := []float64{1, 3, -2, 0, 4, 4}
	got := CenterWeights(w, 3)
	want := []float64{0.3333333333333333, 2.333333333333333, -2.666666666666667, -2.6666666666666665, 1.3333333333333335, 1.3333333333333335}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
			t.Errorf("centered[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	for lo := 0; lo < 6; lo += 3 {
		if s := got[lo] + got[lo+1] + got[lo+2]; s > 1e-12 || s < -1e-12 {
			t.Errorf("program at %d sums to %g after centering", lo, s)
		}
	}
	if w[0] != 1 {
		t.Error("CenterWeights modified its input")
	}
	defer func() {
		if recover() == nil {
			t.Error("groups of 4 over 6 weights did not panic")
		}
	}()
	CenterWeights(w, 4)
}

// TestCenterWeightsLeaveOneOut checks the identity CenterWeights' doc
// relies on: centring on the group mean is the unbiased leave-one-out
// baseline scaled by (M − 1)/M.
func TestCenterWeightsLeaveOneOut(t *testing.T) {
	w := []float64{1, 3, -2, 0.5, 0, 4, 4, -1}
	const m = 4
	got := CenterWeights(w, m)
	for lo := 0; lo < len(w); lo += m {
		for j := lo; j < lo+m; j++ {
			var others float64
			for i := lo; i < lo+m; i++ {
				if i != j {
					others += w[i]
				}
			}
			loo := w[j] - others/(m-1)
			if want := loo * (m - 1) / m; math.Abs(got[j]-want) > 1e-12 {
				t.Errorf("centred[%d] = %g, want (M−1)/M × leave-one-out %g = %g", j, got[j], loo, want)
			}
		}
	}
}
