package model

import (
	"errors"
	"math"
	"testing"
)

func TestLinearScheduleReference(t *testing.T) {
	s := DefaultSchedule()
	// power.md §3 check values: ᾱ₀ = 0.9999, ᾱ₉₉₉ = 4.036e−5.
	if math.Abs(s.AlphaBar[0]-0.9999) > 1e-12 {
		t.Errorf("ᾱ₀ = %v, want 0.9999", s.AlphaBar[0])
	}
	if math.Abs(s.AlphaBar[999]-4.036e-5)/4.036e-5 > 1e-3 {
		t.Errorf("ᾱ₉₉₉ = %v, want 4.036e−5", s.AlphaBar[999])
	}
	if s.Beta[999] != 0.02 || s.AlphaBarPrev[0] != 1 {
		t.Errorf("β₉₉₉ = %v, ᾱ_prev,0 = %v; want 0.02 and 1", s.Beta[999], s.AlphaBarPrev[0])
	}
	for i := 1; i < s.T; i++ {
		if s.AlphaBarPrev[i] != s.AlphaBar[i-1] || s.AlphaBar[i] >= s.AlphaBar[i-1] {
			t.Fatalf("ᾱ not a decreasing cumulative product at %d", i)
		}
	}
}

func TestCosineSchedule(t *testing.T) {
	s, err := CosineSchedule(1000)
	if err != nil {
		t.Fatal(err)
	}
	// ᾱ_t = f(t+1)/f(0) for the clip-free part: check the closed form midway.
	f := func(x float64) float64 { c := math.Cos((x + 0.008) / 1.008 * math.Pi / 2); return c * c }
	if got, want := s.AlphaBar[499], f(0.5)/f(0); math.Abs(got-want) > 1e-12 {
		t.Errorf("cosine ᾱ₄₉₉ = %v, want %v", got, want)
	}
	for i, b := range s.Beta {
		if !(b > 0 && b <= 0.999) {
			t.Fatalf("β[%d] = %v out of (0, 0.999]", i, b)
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, c := range []struct {
		T      int
		b0, bT float64
	}{{0, 1e-4, 0.02}, {10, 0, 0.02}, {10, 0.1, 0.01}, {10, 1e-4, 1}} {
		if _, err := LinearSchedule(c.T, c.b0, c.bT); !errors.Is(err, ErrConfig) {
			t.Errorf("LinearSchedule(%d, %g, %g) error %v, want ErrConfig", c.T, c.b0, c.bT, err)
		}
	}
	if _, err := DefaultSchedule().Timesteps(1001); !errors.Is(err, ErrConfig) {
		t.Errorf("Timesteps(1001) error %v, want ErrConfig", err)
	}
}

func TestTimesteps(t *testing.T) {
	s := DefaultSchedule()
	all, _ := s.Timesteps(1000)
	for i, v := range all {
		if v != 999-i {
			t.Fatalf("S = T: step %d visits t = %d, want %d", i, v, 999-i)
		}
	}
	for _, S := range []int{1, 2, 20, 50, 100, 999} {
		ts, err := s.Timesteps(S)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != S || ts[0] != 999 || ts[S-1] != map[bool]int{true: 999, false: 0}[S == 1] {
			t.Errorf("S = %d: timesteps %v… do not span 999..0", S, ts[:min(3, S)])
		}
		for i := 1; i < S; i++ {
			if ts[i] >= ts[i-1] {
				t.Fatalf("S = %d: timesteps not strictly decreasing at %d", S, i)
			}
		}
	}
	two, _ := s.Timesteps(3)
	if two[1] != 500 { // round(999/2) = 499.5 → 500
		t.Errorf("S = 3 middle timestep %d, want 500", two[1])
	}
}
