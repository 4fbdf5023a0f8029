package model

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func smallSchedule(t *testing.T, T int) *Schedule {
	s, err := LinearSchedule(T, 1e-4, math.Min(0.02*1000/float64(T), 0.5))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// x̂₀ = (y − √(1−ᾱ)ε̂)/√ᾱ, computed in float64.
func x0hat(y, eps *nn.Matrix, ab float64) []float64 {
	out := make([]float64, len(y.Data))
	for i := range out {
		out[i] = (float64(y.Data[i]) - math.Sqrt(1-ab)*float64(eps.Data[i])) / math.Sqrt(ab)
	}
	return out
}

func maxAbsDiff(a []float32, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-b[i]))
	}
	return m
}

func TestDDIMLastStepReturnsX0(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), DefaultSchedule())
	steps, err := d.plan(Sampler{Eta: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	last := steps[len(steps)-1]
	if last.T != 0 || last.Sigma != 0 {
		t.Fatalf("last step t = %d σ = %g, want 0 and 0", last.T, last.Sigma)
	}
	rng := newRNG(2)
	y, eps := randMatrix(4, 3, rng), randMatrix(4, 3, rng)
	want := x0hat(y, eps, last.AlphaBar)
	last.apply(y, eps, nil)
	if e := maxAbsDiff(y.Data, want); e > 1e-5 {
		t.Errorf("last DDIM step differs from x̂₀ by %g", e)
	}
}

// With ᾱ_prev = 1 (a single strided step from any t) DDIM returns x̂₀
// whatever η is.
func TestDDIMAlphaPrevOneReturnsX0(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), DefaultSchedule())
	for _, eta := range []float64{0, 0.5, 1} {
		steps, err := d.plan(Sampler{Steps: 1, Eta: eta})
		if err != nil {
			t.Fatal(err)
		}
		st := steps[0]
		if st.T != 999 || st.Sigma != 0 {
			t.Fatalf("η = %g: single step t = %d σ = %g, want 999 and 0", eta, st.T, st.Sigma)
		}
		rng := newRNG(3)
		y, eps := randMatrix(4, 3, rng), randMatrix(4, 3, rng)
		want := x0hat(y, eps, st.AlphaBar)
		st.apply(y, eps, nil)
		if e := maxAbsDiff(y.Data, want); e > 1e-3*maxAbs(want) {
			t.Errorf("η = %g: step with ᾱ_prev = 1 differs from x̂₀ by %g", eta, e)
		}
	}
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func TestDDIMEtaZeroFullIsDeterministic(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), smallSchedule(t, 100))
	x := randMatrix(2, 2, newRNG(4))
	rng := newRNG(5)
	y1, err := d.Sample(context.Background(), x, 3, Sampler{Eta: 0}, rng)
	if err != nil {
		t.Fatal(err)
	}
	// Only y_T was drawn: the generator is where one that drew 6×3 normals is.
	ref := newRNG(5)
	fillNormal(make([]float32, 18), ref)
	if rng.Uint64() != ref.Uint64() {
		t.Error("η = 0 sampling consumed random draws after y_T")
	}
	y2, _ := d.Sample(context.Background(), x, 3, Sampler{Eta: 0}, newRNG(5))
	for i := range y1.Data {
		if y1.Data[i] != y2.Data[i] {
			t.Fatal("two η = 0 runs from the same y_T differ")
		}
	}
	if d.Net.(*fakeNet).forwards != 200 {
		t.Errorf("S = T = 100 made %d network calls for two runs, want 200", d.Net.(*fakeNet).forwards)
	}
}

// A strided 2-step chain (S = 2 visits t = 999 and t = 0) computed by hand.
func TestDDIMStridedTwoSteps(t *testing.T) {
	net := newFakeNet(3, 2, 5, newRNG(1))
	s := DefaultSchedule()
	d := NewDiffusion(net, s)
	const eta = 0.5
	x := randMatrix(2, 2, newRNG(6))
	got, err := d.Sample(context.Background(), x, 1, Sampler{Steps: 2, Eta: eta}, newRNG(7))
	if err != nil {
		t.Fatal(err)
	}
	rng := newRNG(7)
	y, z := randMatrix(2, 3, rng), randMatrix(2, 3, rng)
	eps := net.Forward(y, []int{999, 999}, x, nil)
	ab, abp := s.AlphaBar[999], s.AlphaBar[0]
	sigma := eta * math.Sqrt((1-abp)/(1-ab)) * math.Sqrt(1-ab/abp)
	x0 := x0hat(y, eps, ab)
	y1 := nn.NewMatrix(2, 3)
	for i := range y1.Data {
		y1.Data[i] = float32(math.Sqrt(abp)*x0[i] + math.Sqrt(1-abp-sigma*sigma)*float64(eps.Data[i]) + sigma*float64(z.Data[i]))
	}
	eps1 := net.Forward(y1, []int{0, 0}, x, nil)
	want := x0hat(y1, eps1, s.AlphaBar[0])
	if e := maxAbsDiff(got.Data, want); e > 1e-4*maxAbs(want) {
		t.Errorf("strided 2-step chain differs from the hand computation by %g (got %v want %v)", e, got.Data, want)
	}
}

// DDPM ancestral sampling with the posterior variance equals DDIM with
// η = 1 over all steps (same draws, same means).
func TestDDPMEqualsDDIMEtaOne(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), smallSchedule(t, 50))
	x := randMatrix(3, 2, newRNG(8))
	a, err := d.SampleDDPM(context.Background(), x, 2, newRNG(9))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := d.Sample(context.Background(), x, 2, Sampler{Eta: 1}, newRNG(9))
	for i := range a.Data {
		if math.Abs(float64(a.Data[i]-b.Data[i])) > 1e-4*(1+math.Abs(float64(b.Data[i]))) {
			t.Fatalf("DDPM %v and DDIM(η=1) %v differ at %d", a.Data[i], b.Data[i], i)
		}
	}
}

// Sampling m per context equals sampling the tiled contexts once each.
func TestSampleRowOrder(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), smallSchedule(t, 30))
	x := randMatrix(2, 2, newRNG(10))
	a, _ := d.Sample(context.Background(), x, 3, Sampler{Steps: 10, Eta: 0.8}, newRNG(11))
	b, _ := d.Sample(context.Background(), RepeatRows(x, 3), 1, Sampler{Steps: 10, Eta: 0.8}, newRNG(11))
	if a.Rows != 6 {
		t.Fatalf("got %d rows, want 6", a.Rows)
	}
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			t.Fatal("m samples per context differ from sampling the tiled contexts")
		}
	}
	r := RepeatRows(x, 3)
	for i := 0; i < 6; i++ {
		if r.At(i, 0) != x.At(i/3, 0) {
			t.Fatalf("RepeatRows row %d is not context %d", i, i/3)
		}
	}
}

func TestSampleDeterministicAcrossGOMAXPROCS(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), smallSchedule(t, 30))
	x := randMatrix(4, 2, newRNG(12))
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	a, _ := d.Sample(context.Background(), x, 5, Sampler{Steps: 10, Eta: 0.8}, newRNG(13))
	runtime.GOMAXPROCS(2)
	b, _ := d.Sample(context.Background(), x, 5, Sampler{Steps: 10, Eta: 0.8}, newRNG(13))
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			t.Fatal("samples depend on GOMAXPROCS")
		}
	}
}

func TestSampleCancelled(t *testing.T) {
	d := NewDiffusion(newFakeNet(3, 2, 5, newRNG(1)), smallSchedule(t, 30))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Sample(ctx, randMatrix(1, 2, newRNG(1)), 1, Sampler{}, newRNG(1)); err == nil {
		t.Error("cancelled sampling returned no error")
	}
	if _, err := d.Sample(context.Background(), randMatrix(1, 2, newRNG(1)), 1, Sampler{Eta: 1.5}, newRNG(1)); err == nil {
		t.Error("η = 1.5 accepted")
	}
}
