package datasets

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSyntheticTruthExpectation checks the closed form of E exp(−y_d z)
// against a Monte-Carlo mean of the sampler, for the reference's weight and
// a contextual one, at several z.
func TestSyntheticTruthExpectation(t *testing.T) {
	truth, err := NewSyntheticTruth(SyntheticOptions{YDim: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 400000
	y := make([]float64, 1)
	for _, p := range []float64{0.9, 0.6} {
		for _, z := range []float64{0.2, math.Log(3) / 2, 1.5} {
			var s, s2 float64
			for i := 0; i < n; i++ {
				truth.Sample(y, []float64{p}, rng)
				v := math.Exp(-y[0] * z)
				s += v
				s2 += v * v
			}
			mc := s / n
			se := math.Sqrt((s2/n - mc*mc) / n)
			if want := truth.ExpectedExpFactor(p, z); math.Abs(mc-want) > 4*se {
				t.Errorf("p %v z %v: Monte Carlo %.5f ± %.5f, closed form %.5f", p, z, mc, se, want)
			}
		}
	}
}

// TestSyntheticOptionsFromMeta checks that the truth read back from a
// generated dataset's metadata gives the generator's mixture weights, and
// that the reference draw's empty metadata means the reference mixture.
func TestSyntheticOptionsFromMeta(t *testing.T) {
	opts := SyntheticOptions{N: 50, Context: 2, ProjectionSeed: 9, YShift: 0.1}
	d, err := Synthetic(opts, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := SyntheticOptionsFromMeta(d.Meta, 20, 10)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := NewSyntheticTruth(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := opts.defaults(); err != nil {
		t.Fatal(err)
	}
	want := mixtureWeights(d.X, opts)
	prob := make([]float64, 10)
	for i := 0; i < 50; i++ {
		truth.PositiveProb(prob, d.X.RawRowView(i))
		for j, p := range prob {
			if math.Abs(p-want.At(i, j)) > 1e-12 {
				t.Fatalf("row %d target %d: p %v, generator %v", i, j, p, want.At(i, j))
			}
		}
	}
	if mp, mn, _ := truth.Components(); mp != 0.6 || mn != -1.4 {
		t.Errorf("components %v %v, want 0.6 and −1.4 (shift 0.1)", mp, mn)
	}
	ref, err := SyntheticOptionsFromMeta(map[string]string{"source": "reference_seed1"}, 20, 10)
	if err != nil || ref.PPos != 0.9 || ref.Context != 0 || ref.YScale != 0.5 {
		t.Errorf("reference options %+v, %v", ref, err)
	}
	if _, err := SyntheticOptionsFromMeta(map[string]string{"sigma": "x"}, 20, 10); err == nil {
		t.Error("a non-numeric sigma was accepted")
	}
}
