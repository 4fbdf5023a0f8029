package stages

import (
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
)

// TestPopulationOptimumAnalytic derives the reference's population optimum
// and checks it against a numerical optimum of the true expectation.
// Without the small noise (s = 0.075) one coordinate's expected cost is
// g(z) = 0.9·e^{−z/2} + 0.1·e^{3z/2}; g'(z) = 0 gives e^{2z} = 3, so
// z = ln 3 / 2 ≈ 0.549 inside the box [0, 2], and
// g = 0.9·3^{−1/4} + 0.1·3^{3/4} ≈ 0.9118. The coordinates are independent
// and the box a product, so the optimum of E exp(−yᵀz) = Π_d g(z_d) is
// z = ln 3 / 2 everywhere, and with the noise factor e^{s²z²/2} per
// coordinate the expected loss is 0.9118¹⁰·e^{10·s²z²/2} ≈ 0.4006.
func TestPopulationOptimumAnalytic(t *testing.T) {
	truth, err := datasets.NewSyntheticTruth(datasets.SyntheticOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zStar := math.Log(3) / 2
	g := func(z float64) float64 { return truth.ExpectedExpFactor(0.9, z) }
	// The numerical optimum of the exact expectation, and a grid that
	// brackets it: the noise moves it by less than 0.01.
	z := minimizeConvex(g, 0, 2)
	if math.Abs(z-zStar) > 0.01 {
		t.Errorf("numerical optimum %.5f, analytic ln 3 / 2 = %.5f", z, zStar)
	}
	for v := 0.0; v <= 2; v += 0.001 {
		if g(v) < g(z)-1e-12 {
			t.Fatalf("g(%.3f) = %.9f below the golden-section optimum g(%.5f) = %.9f", v, g(v), z, g(z))
		}
	}
	if got := math.Pow(g(zStar), 10); math.Abs(got-0.4006) > 5e-5 {
		t.Errorf("expected loss at ln 3 / 2: %.5f, want 0.4006", got)
	}
	if got := math.Pow(g(z), 10); got > math.Pow(g(zStar), 10) || math.Abs(got-0.4006) > 5e-4 {
		t.Errorf("expected loss at the numerical optimum %.5f, want ≤ the analytic point's and ≈ 0.4006", got)
	}
}

// TestReferenceKindRows runs both reference rows on generated data: the
// population optimum decides ln 3 / 2 and scores near 0.40; the true
// per-context SAA at M = 16 is far worse (it misses a coordinate's 10 %
// mode), its pooled twin sits near the optimum, and both report M.
func TestReferenceKindRows(t *testing.T) {
	rec, _ := loadData(t, map[string]any{"seed": 0, "n": 3000})
	in := map[string]arrow.Record{"data": rec}
	loss := func(params map[string]any) (float64, int64, string) {
		t.Helper()
		out, _ := runKind(t, referenceKind, params, in, "")
		m := out["metrics"]
		l, err := arrowtab.Float64s(m, ColTaskLoss)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := arrowtab.Int64s(m, ColM)
		if err != nil {
			t.Fatal(err)
		}
		label, _ := arrowtab.Meta(m, MetaDataset)
		return l[1], ms[1], label // the test split
	}
	opt, m, label := loss(map[string]any{"method": MethodPopulationOptimum})
	if math.Abs(opt-0.4006) > 0.08 || m != 1 || label != TaskSynthetic {
		t.Errorf("population optimum: test loss %.4f (want ≈ 0.40 over 600 contexts), M %d, label %q", opt, m, label)
	}
	saa, m, _ := loss(map[string]any{"method": MethodTrueSAA, "samples": 16, "draws": 2})
	if saa < 5*opt || m != 16 {
		t.Errorf("true per-context SAA at M = 16: test loss %.4f, M %d; want far above the optimum %.4f", saa, m, opt)
	}
	pooled, _, label := loss(map[string]any{"method": MethodTrueSAA, "samples": 16, "decision": DecisionPooled})
	if math.Abs(pooled-opt) > 0.02 || label != TaskSynthetic+pooledSuffix {
		t.Errorf("true pooled SAA: test loss %.4f under %q, want ≈ the optimum %.4f under synthetic-pooled", pooled, label, opt)
	}
	ctxRec, _ := loadData(t, map[string]any{"context": 2.0})
	if _, _, err := tryKind(referenceKind, map[string]any{"method": MethodPopulationOptimum, "decision": DecisionPooled},
		map[string]arrow.Record{"data": ctxRec}, ""); err == nil {
		t.Error("a pooled population optimum of contextual data was accepted")
	}
}
