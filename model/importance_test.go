package model

import (
	"math"
	"testing"
)

func TestImportanceSamplerWarmUpAndWeights(t *testing.T) {
	s, _ := NewLossSecondMoment(4, 3, 0.1)
	ts, w := s.Draw(100, newRNG(1))
	for i := range ts {
		if w[i] != 1 {
			t.Fatalf("cold sampler weight %g, want 1", w[i])
		}
	}
	losses := []float64{1, 2, 3, 4}
	for rep := 0; rep < 3; rep++ {
		if s.Warm() {
			t.Fatal("warm before 3 losses per timestep")
		}
		s.Update([]int{0, 1, 2, 3}, losses)
	}
	if !s.Warm() {
		t.Fatal("not warm after 3 losses per timestep")
	}
	// p_t = 0.9·ℓ_t/10 + 0.1/4 for constant histories.
	p := s.Probs()
	for ti, l := range losses {
		if want := 0.9*l/10 + 0.025; math.Abs(p[ti]-want) > 1e-15 {
			t.Errorf("p[%d] = %g, want %g", ti, p[ti], want)
		}
	}
	ts, w = s.Draw(1000, newRNG(2))
	for i, ti := range ts {
		if math.Abs(w[i]-1/(4*p[ti])) > 1e-15 {
			t.Fatalf("weight %g at t = %d, want 1/(T·p) = %g", w[i], ti, 1/(4*p[ti]))
		}
	}
	// FIFO: a fourth loss at t = 0 replaces the oldest.
	s.Update([]int{0}, []float64{10})
	got := append([]float64(nil), s.Losses[0:3]...)
	if got[0] != 10 || got[1] != 1 || got[2] != 1 || s.Count[0] != 3 {
		t.Errorf("history of t = 0 is %v (count %d), want [10 1 1] (3)", got, s.Count[0])
	}
	c := s.Clone()
	c.Update([]int{1}, []float64{7})
	if s.Losses[3] == 7 {
		t.Error("Clone shares state with the original")
	}
}

// E_p[weight·ℓ_t] = (1/T)Σ_t ℓ_t, with smaller variance than uniform draws
// when p ∝ ℓ.
func TestImportanceSamplerUnbiased(t *testing.T) {
	const T = 50
	loss := func(ti int) float64 { return math.Exp(float64(ti) / 10) }
	var mean float64
	for ti := 0; ti < T; ti++ {
		mean += loss(ti) / T
	}
	s, _ := NewLossSecondMoment(T, 10, 0.05)
	for rep := 0; rep < 10; rep++ {
		for ti := 0; ti < T; ti++ {
			s.Update([]int{ti}, []float64{loss(ti)})
		}
	}
	const n = 200000
	ts, w := s.Draw(n, newRNG(3))
	var sum, sq float64
	for i, ti := range ts {
		v := w[i] * loss(ti)
		sum += v
		sq += v * v
	}
	est := sum / n
	sd := math.Sqrt((sq/n - est*est) / n)
	if math.Abs(est-mean) > 4*sd {
		t.Errorf("importance estimate %g, want %g ± %g", est, mean, 4*sd)
	}
	var uvar float64
	for ti := 0; ti < T; ti++ {
		uvar += (loss(ti) - mean) * (loss(ti) - mean) / T
	}
	if isVar := sd * sd * n; isVar > uvar/10 {
		t.Errorf("importance variance %g not well below uniform %g", isVar, uvar)
	}
}

func TestSelfNormalizeQuantileClip(t *testing.T) {
	w := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 11}
	// mean 2 → normalised [0.5 … 0.5, 5.5]; 0.95 quantile at position 8.55:
	// 0.5 + 0.55·5 = 3.25.
	ess := selfNormalize(w)
	if math.Abs(w[9]-3.25) > 1e-9 || math.Abs(w[0]-0.5) > 1e-9 {
		t.Errorf("processed weights %v, want 0.5… and 3.25", w)
	}
	s1, s2 := 9*0.5+3.25, 9*0.25+3.25*3.25
	if math.Abs(ess-s1*s1/s2) > 1e-9 {
		t.Errorf("ESS %g, want %g", ess, s1*s1/s2)
	}
	s, _ := NewLossSecondMoment(4, 1, 0.1)
	s.adapt(1, 10)
	if math.Abs(s.Uniform-0.13) > 1e-15 {
		t.Errorf("low ESS: u = %g, want 0.13", s.Uniform)
	}
	s.adapt(7, 10)
	if s.Uniform != 0.13 {
		t.Errorf("mid ESS changed u to %g", s.Uniform)
	}
}
