package model

import (
	"fmt"
	"math"
)

// Schedule is a discrete diffusion noise schedule over T steps, indexed
// t = 0..T−1 as in the reference (synthetic.md §3): α_t = 1 − β_t,
// ᾱ_t = Π_{s≤t} α_s and ᾱ_prev,t = ᾱ_{t−1} with ᾱ_prev,0 = 1.
//
// Everything is kept in float64: ᾱ_t spans 1 to 4e−5 and the sampling
// coefficients divide by √ᾱ_t, so float32 here would cost digits for nothing.
// (The reference rounds β to float32 and takes the cumulative product in
// float32; the difference in ᾱ is below 1e−6 relative.)
type Schedule struct {
	Config       ScheduleConfig
	T            int
	Beta         []float64
	Alpha        []float64
	AlphaBar     []float64
	AlphaBarPrev []float64
}

// Schedule kinds of ScheduleConfig.
const (
	ScheduleLinear = "linear"
	ScheduleCosine = "cosine"
)

// ScheduleConfig names a schedule, so it can be stored with a model and
// rebuilt (NewSchedule).
type ScheduleConfig struct {
	Kind  string  `json:"kind"` // ScheduleLinear or ScheduleCosine
	T     int     `json:"t"`
	Beta0 float64 `json:"beta0,omitempty"` // linear only
	BetaT float64 `json:"beta_t,omitempty"`
}

// NewSchedule builds the schedule cfg describes.
func NewSchedule(cfg ScheduleConfig) (*Schedule, error) {
	switch cfg.Kind {
	case ScheduleLinear:
		return LinearSchedule(cfg.T, cfg.Beta0, cfg.BetaT)
	case ScheduleCosine:
		return CosineSchedule(cfg.T)
	}
	return nil, fmt.Errorf("%w: schedule kind %q, want %q or %q", ErrConfig, cfg.Kind, ScheduleLinear, ScheduleCosine)
}

// LinearSchedule returns β = linspace(beta0, betaT, T), the reference's
// schedule with beta0 = 1e−4, betaT = 0.02 and T = 1000.
func LinearSchedule(T int, beta0, betaT float64) (*Schedule, error) {
	if T < 1 {
		return nil, fmt.Errorf("%w: schedule T = %d, want ≥ 1", ErrConfig, T)
	}
	if !(beta0 > 0 && betaT >= beta0 && betaT < 1) {
		return nil, fmt.Errorf("%w: linear schedule β from %g to %g, want 0 < β0 ≤ βT < 1", ErrConfig, beta0, betaT)
	}
	beta := make([]float64, T)
	for i := range beta {
		if T == 1 {
			beta[i] = beta0
			continue
		}
		beta[i] = beta0 + (betaT-beta0)*float64(i)/float64(T-1)
	}
	s := scheduleFromBeta(beta)
	s.Config = ScheduleConfig{Kind: ScheduleLinear, T: T, Beta0: beta0, BetaT: betaT}
	return s, nil
}

// DefaultSchedule is the reference's linear schedule: T = 1000,
// β = linspace(1e−4, 0.02, 1000).
func DefaultSchedule() *Schedule {
	s, err := LinearSchedule(1000, 1e-4, 0.02)
	if err != nil {
		panic(err) // constants above are valid
	}
	return s
}

// CosineSchedule returns the cosine schedule of Nichol & Dhariwal (2021):
// ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T)+s)/(1+s)·π/2) with s = 0.008, and
// β_t = min(1 − ᾱ(t+1)/ᾱ(t), 0.999).
func CosineSchedule(T int) (*Schedule, error) {
	if T < 1 {
		return nil, fmt.Errorf("%w: schedule T = %d, want ≥ 1", ErrConfig, T)
	}
	const s = 0.008
	f := func(t int) float64 {
		c := math.Cos((float64(t)/float64(T) + s) / (1 + s) * math.Pi / 2)
		return c * c
	}
	beta := make([]float64, T)
	for t := range beta {
		beta[t] = math.Min(1-f(t+1)/f(t), 0.999)
	}
	sc := scheduleFromBeta(beta)
	sc.Config = ScheduleConfig{Kind: ScheduleCosine, T: T}
	return sc, nil
}

func scheduleFromBeta(beta []float64) *Schedule {
	T := len(beta)
	s := &Schedule{
		T:            T,
		Beta:         beta,
		Alpha:        make([]float64, T),
		AlphaBar:     make([]float64, T),
		AlphaBarPrev: make([]float64, T),
	}
	prod := 1.0
	for t, b := range beta {
		s.Alpha[t] = 1 - b
		s.AlphaBarPrev[t] = prod
		prod *= 1 - b
		s.AlphaBar[t] = prod
	}
	return s
}

// checkT panics when a timestep is outside 0..T−1: timesteps come from the
// package's own samplers, so a bad one is a programmer error.
func (s *Schedule) checkT(t int) {
	if t < 0 || t >= s.T {
		panic(fmt.Sprintf("model: timestep %d outside 0..%d", t, s.T-1))
	}
}
