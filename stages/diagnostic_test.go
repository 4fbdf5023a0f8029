package stages

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

func TestCosine(t *testing.T) {
	g := []float32{0.5, -2, 3, 1e-3}
	neg := []float32{-0.5, 2, -3, -1e-3}
	for _, c := range []struct {
		name string
		a, b []float32
		want float64
	}{
		{"itself", g, g, 1},
		{"scaled", g, []float32{1, -4, 6, 2e-3}, 1},
		{"opposite", g, neg, -1},
		{"orthogonal", []float32{1, 0}, []float32{0, 3}, 0},
	} {
		if got := cosine(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: cosine %g, want %g", c.name, got, c.want)
		}
	}
	if got := cosine(g, make([]float32, 4)); !math.IsNaN(got) {
		t.Errorf("cosine with zero vector %g, want NaN", got)
	}
}

func TestWeightSumFraction(t *testing.T) {
	for _, c := range []struct {
		w    []float64
		want float64
	}{
		{[]float64{1, 3, -1, -1}, 1},   // |4|/4 and |−2|/2
		{[]float64{1, -1, 2, -2}, 0},   // zero-sum programs
		{[]float64{1, -3, 2, 0}, 0.75}, // |−2|/4 and 2/2
	} {
		if got := weightSumFraction(c.w, 2); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("weightSumFraction(%v) = %g, want %g", c.w, got, c.want)
		}
	}
}

// diagnosticParams are small settings of the gradient diagnostic.
func diagnosticParams() map[string]any {
	return map[string]any{"contexts": 16, "samples": 4, "steps": 4, "Ks": []any{2}, "seed": 3, "weights": []any{WeightsRaw, WeightsCentered}}
}

// The diffusion diagnostic: one row per configuration, cosines in [−1, 1],
// split-half below 1 (two SF replicates differ), and the same table again
// with the same seed.
func TestGradientDiagnosticDiffusion(t *testing.T) {
	fx := newTinyDFL(t)
	in := map[string]arrow.Record{"data": fx.data, "model": fx.diffusion}
	out, rep := runKind(t, gradientDiagnosticKind, diagnosticParams(), in, "")
	rec := out["cosines"]
	if rec.NumRows() != 2*1*2*2*2 { // etas × Ks × timesteps × noise × weights
		t.Fatalf("%d rows, want 16; log %v", rec.NumRows(), rep.lines)
	}
	for _, col := range []string{"cos_rp", "cos_rp_pair", "split_half"} {
		v, err := arrowtab.Float64s(rec, col)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range v {
			if !(c >= -1-1e-9 && c <= 1+1e-9) {
				t.Errorf("%s[%d] = %g, want a cosine", col, i, c)
			}
		}
	}
	sh, _ := arrowtab.Float64s(rec, "split_half")
	if sh[0] >= 1-1e-9 {
		t.Errorf("split-half %g: two SF replicates were identical", sh[0])
	}
	again, _ := runKind(t, gradientDiagnosticKind, diagnosticParams(), in, "")
	if !bytes.Equal(withoutTiming(t, rec), withoutTiming(t, again["cosines"])) {
		t.Error("the same seed gave a different table")
	}
	other := diagnosticParams()
	other["seed"] = 4
	third, _ := runKind(t, gradientDiagnosticKind, other, in, "")
	if bytes.Equal(withoutTiming(t, rec), withoutTiming(t, third["cosines"])) {
		t.Error("another seed gave the same table")
	}
}

// On the Gaussian model the score is exact: SF and RP estimate the same
// gradient on the same samples and, with many samples, agree closely.
func TestGradientDiagnosticGaussian(t *testing.T) {
	fx := newTinyDFL(t)
	p := map[string]any{"contexts": 64, "samples": 2048, "seed": 1}
	out, _ := runKind(t, gradientDiagnosticKind, p, map[string]arrow.Record{"data": fx.data, "model": fx.gaussian}, "")
	cos, _ := arrowtab.Float64s(out["cosines"], "cos_rp")
	w, _ := arrowtab.Strings(out["cosines"], "weights")
	for i, c := range cos {
		if c < 0.9 {
			t.Errorf("Gaussian %s weights: cos(SF, RP) = %.3f, want ≥ 0.9", w[i], c)
		}
	}
}

// train_eta changes the training samples only: an invalid value is a
// param error, and η = 1 training draws give another model than η = 0.
func TestTrainEta(t *testing.T) {
	fx := newTinyDFL(t)
	in := map[string]arrow.Record{"data": fx.data, "model": fx.diffusion}
	if _, _, err := tryKind(dflDiffusionKind, dflParams(map[string]any{"train_eta": 1.5}), in, ""); !errors.Is(err, ErrParam) {
		t.Errorf("train_eta 1.5: error %v, want ErrParam", err)
	}
	base, _ := runKind(t, dflDiffusionKind, dflParams(map[string]any{"epochs": 1, "patience": 0}), in, "")
	same, _ := runKind(t, dflDiffusionKind, dflParams(map[string]any{"epochs": 1, "patience": 0, "train_eta": 0}), in, "")
	other, _ := runKind(t, dflDiffusionKind, dflParams(map[string]any{"epochs": 1, "patience": 0, "train_eta": 1}), in, "")
	curve := func(out map[string]arrow.Record) []float64 {
		v, err := arrowtab.Float64s(out["curve"], ColTrainTaskLoss)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	b, s, o := curve(base), curve(same), curve(other)
	if b[1] != s[1] {
		t.Errorf("train_eta 0 = eta: train task loss %g, want %g", s[1], b[1])
	}
	if b[1] == o[1] {
		t.Errorf("train_eta 1: train task loss %g equals η = 0's", o[1])
	}
}

// The importance sampler warms up on a batch of any size: 4 samples fill
// every timestep's history (the ci profile's batch is 16).
func TestGradientDiagnosticSmallBatchWarmUp(t *testing.T) {
	fx := newTinyDFL(t)
	p := map[string]any{"contexts": 2, "samples": 2, "steps": 3, "Ks": []any{1}, "etas": []any{0.0},
		"timesteps": []any{TimestepsImportance}, "noise": []any{NoiseIndependent}}
	out, _ := runKind(t, gradientDiagnosticKind, p, map[string]arrow.Record{"data": fx.data, "model": fx.diffusion}, "")
	if n := out["cosines"].NumRows(); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}
