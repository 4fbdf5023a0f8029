package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// LossSecondMoment is the timestep importance sampler of the reference
// (resample.py LossSecondMomentResampler; synthetic.md §4, power.md §4). It
// keeps the last History losses seen at each timestep t and, once every t has
// History of them, draws t with probability
//
//	p_t = (1−u)·√(E[ℓ_t²]) / Σ_s √(E[ℓ_s²]) + u/T,
//
// where E is the mean over the stored history and u = Uniform; before that p
// is uniform. A draw's importance weight is 1/(T·p_t), so E_p[weight·ℓ_t]
// equals the uniform mean of ℓ over t.
//
// The exported fields are the whole state: copy the value (Clone) to save it
// and assign it back to restore. Randomness comes from the generator passed
// to Draw.
type LossSecondMoment struct {
	T       int
	History int       // losses kept per timestep (reference 10)
	Uniform float64   // u, the uniform mixing probability
	Losses  []float64 // T × History; row t is a ring of t's recent losses
	Count   []int     // losses stored for t, at most History
	Next    []int     // ring slot that t's next loss overwrites
}

// NewLossSecondMoment returns an empty sampler over T timesteps. The
// reference uses history 10 with u = 1e−4 (synthetic) or 1e−3 (power, where
// u then adapts, see ScoreFunction.SelfNormalize).
func NewLossSecondMoment(T, history int, uniform float64) (*LossSecondMoment, error) {
	if T < 1 || history < 1 {
		return nil, fmt.Errorf("%w: importance sampler T = %d, history = %d, want ≥ 1", ErrConfig, T, history)
	}
	if !(uniform >= 0 && uniform <= 1) {
		return nil, fmt.Errorf("%w: importance sampler uniform probability %g, want in [0, 1]", ErrConfig, uniform)
	}
	return &LossSecondMoment{
		T: T, History: history, Uniform: uniform,
		Losses: make([]float64, T*history),
		Count:  make([]int, T),
		Next:   make([]int, T),
	}, nil
}

// Clone returns an independent copy of the state.
func (s *LossSecondMoment) Clone() *LossSecondMoment {
	c := *s
	c.Losses = slices.Clone(s.Losses)
	c.Count = slices.Clone(s.Count)
	c.Next = slices.Clone(s.Next)
	return &c
}

// Warm reports whether every timestep has a full history.
func (s *LossSecondMoment) Warm() bool {
	for _, c := range s.Count {
		if c < s.History {
			return false
		}
	}
	return true
}

// Probs returns the current sampling distribution p over 0..T−1.
func (s *LossSecondMoment) Probs() []float64 {
	p := make([]float64, s.T)
	uniform := func() []float64 {
		for t := range p {
			p[t] = 1 / float64(s.T)
		}
		return p
	}
	if !s.Warm() {
		return uniform()
	}
	var sum float64
	for t := range p {
		var sq float64
		for _, l := range s.Losses[t*s.History : (t+1)*s.History] {
			sq += l * l
		}
		p[t] = math.Sqrt(sq / float64(s.History))
		sum += p[t]
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return uniform()
	}
	for t := range p {
		p[t] = (1-s.Uniform)*p[t]/sum + s.Uniform/float64(s.T)
	}
	return p
}

// Draw draws n timesteps from Probs with rng (inverse CDF, one Float64 per
// draw) and returns them with their importance weights 1/(T·p_t).
func (s *LossSecondMoment) Draw(n int, rng *rand.Rand) (ts []int, weights []float64) {
	p := s.Probs()
	cdf := make([]float64, len(p))
	var acc float64
	for t, v := range p {
		acc += v
		cdf[t] = acc
	}
	ts = make([]int, n)
	weights = make([]float64, n)
	for i := range ts {
		u := rng.Float64() * acc
		t, _ := slices.BinarySearch(cdf, u)
		// BinarySearch finds the first cdf ≥ u; skip zero-probability bins
		// whose cdf equals u exactly and guard the top end.
		for t < len(p)-1 && p[t] == 0 {
			t++
		}
		ts[i] = min(t, len(p)-1)
		weights[i] = 1 / (float64(s.T) * p[ts[i]])
	}
	return ts, weights
}

// Update records loss losses[i] for timestep ts[i], in order (oldest entries
// of a full history are overwritten first).
func (s *LossSecondMoment) Update(ts []int, losses []float64) {
	if len(ts) != len(losses) {
		panic(fmt.Sprintf("model: sampler update with %d timesteps and %d losses", len(ts), len(losses)))
	}
	for i, t := range ts {
		if t < 0 || t >= s.T {
			panic(fmt.Sprintf("model: sampler update at timestep %d outside 0..%d", t, s.T-1))
		}
		s.Losses[t*s.History+s.Next[t]] = losses[i]
		s.Next[t] = (s.Next[t] + 1) % s.History
		s.Count[t] = min(s.Count[t]+1, s.History)
	}
}

// adapt is the power task's adaptive uniform mixing (power.md §4): with the
// effective sample size ess of n draws, u grows when ess < 0.6n and shrinks
// when ess > 0.9n.
func (s *LossSecondMoment) adapt(ess float64, n int) {
	switch {
	case ess < 0.6*float64(n):
		s.Uniform = math.Min(0.5, 1.1*s.Uniform+0.02)
	case ess > 0.9*float64(n):
		s.Uniform = math.Max(0.05, 0.95*s.Uniform-0.01)
	}
}

// selfNormalize applies the power task's weight processing in place
// (power.md §4): w ← w/(mean w + 1e−12), then clip at the 0.95 quantile
// (linear interpolation). It returns the effective sample size
// (Σw)²/(Σw² + 1e−12) of the processed weights.
func selfNormalize(w []float64) float64 {
	var sum float64
	for _, v := range w {
		sum += v
	}
	mean := sum / float64(len(w))
	for i := range w {
		w[i] /= mean + 1e-12
	}
	q := quantile(w, 0.95)
	var s1, s2 float64
	for i, v := range w {
		w[i] = math.Min(v, q)
		s1 += w[i]
		s2 += w[i] * w[i]
	}
	return s1 * s1 / (s2 + 1e-12)
}

// quantile is numpy's default (linear) quantile of v.
func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	if lo+1 >= len(s) {
		return s[len(s)-1]
	}
	frac := pos - float64(lo)
	return s[lo] + frac*(s[lo+1]-s[lo])
}
