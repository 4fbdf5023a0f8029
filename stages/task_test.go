package stages

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// portfolioData runs data-portfolio on a small slice of the real data with
// the given extra params and returns its table as the next stage sees it.
func portfolioData(t *testing.T, params map[string]any) *task {
	t.Helper()
	dir := dataDirForTest(t, "sp500/constituents.csv")
	p := map[string]any{"seed": 3, "assets": 8, "max_train": 40, "max_hold": 10, "max_test": 10}
	for k, v := range params {
		p[k] = v
	}
	out, _ := runKind(t, dataPortfolioKind, p, nil, dir)
	tk, err := newTask(roundTrip(t, out["table"]))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestPortfolioAlphaReachesSolver checks that data-portfolio's alpha and
// label reach the task every downstream kind builds, and that two α give
// different decisions on the same samples: the reference's α = 1e-6 puts
// everything in one asset, α = 10 spreads the wealth.
func TestPortfolioAlphaReachesSolver(t *testing.T) {
	ref := portfolioData(t, nil)
	averse := portfolioData(t, map[string]any{"alpha": 10.0, "label": LabelPortfolioRiskAverse})
	if a := ref.prob.(solver.Portfolio).Alpha; a != PortfolioAlpha || ref.label != TaskPortfolio {
		t.Fatalf("default: α = %g, label %q; want %g and %q", a, ref.label, PortfolioAlpha, TaskPortfolio)
	}
	if a := averse.prob.(solver.Portfolio).Alpha; a != 10 || averse.label != LabelPortfolioRiskAverse {
		t.Fatalf("risk-averse: α = %g, label %q; want 10 and %q", a, averse.label, LabelPortfolioRiskAverse)
	}
	if !mat.Equal(ref.dataset.Y, averse.dataset.Y) || !mat.Equal(ref.dataset.X, averse.dataset.X) {
		t.Fatal("the risk-averse data differ from the portfolio's rows: its pretrained models could not be shared")
	}
	// 16 samples of 8 assets' returns: assets 0 and 1 a hedged pair (mean
	// 1 % a day, ±3 % in opposite directions), asset 0 ahead by 0.01 %, the
	// others worse. α = 1e-6 takes asset 0; α = 10 halves the pair's risk
	// term (α/2)E[(yᵀz)²] by holding both.
	ys := mat.NewDense(16, 8, nil)
	for i := 0; i < 16; i++ {
		s := float64(1 - 2*(i%2))
		ys.Set(i, 0, 0.0101+0.03*s)
		ys.Set(i, 1, 0.01-0.03*s)
		for j := 2; j < 8; j++ {
			ys.Set(i, j, -0.01+0.001*float64(j)*s)
		}
	}
	effective := func(tk *task) float64 {
		rule, err := newDecisionRule(tk, DecisionPerX, GradientsExact, 0)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := rule.solve(context.Background(), ys, 1, 16)
		if err != nil {
			t.Fatal(err)
		}
		z := dec.z()[0]
		return 1 / floats2(z)
	}
	if e := effective(ref); math.Abs(e-1) > 1e-6 {
		t.Errorf("α = 1e-6: %.3f effective assets, want a single asset", e)
	}
	if e := effective(averse); e < 1.5 {
		t.Errorf("α = 10: %.3f effective assets, want a spread portfolio", e)
	}
}

// floats2 returns Σ z_i².
func floats2(z []float64) float64 {
	var s float64
	for _, v := range z {
		s += v * v
	}
	return s
}

// TestPortfolioAlphaMeta checks how a task reads α: absent (a dataset from
// before the param) is the reference's, a bad value is an input error.
func TestPortfolioAlphaMeta(t *testing.T) {
	for _, c := range []struct {
		meta map[string]string
		want float64
		bad  bool
	}{
		{map[string]string{}, PortfolioAlpha, false},
		{map[string]string{datasetMetaAlpha: "2.5"}, 2.5, false},
		{map[string]string{datasetMetaAlpha: "0"}, 0, false},
		{map[string]string{datasetMetaAlpha: "-1"}, 0, true},
		{map[string]string{datasetMetaAlpha: "NaN"}, 0, true},
		{map[string]string{datasetMetaAlpha: "ten"}, 0, true},
	} {
		got, err := portfolioAlpha(c.meta)
		if c.bad != (err != nil) || (err == nil && got != c.want) || (err != nil && !errors.Is(err, ErrInput)) {
			t.Errorf("meta %v: α %g, err %v; want %g, bad %v", c.meta, got, err, c.want, c.bad)
		}
	}
}

// TestPortfolioAlphaRange checks that a negative α fails when the file
// loads, naming the param, and that the reference's and the variant's load.
func TestPortfolioAlphaRange(t *testing.T) {
	reg := registryForTest(t)
	for _, c := range []struct {
		alpha string
		ok    bool
	}{{"1e-6", true}, {"10", true}, {"0", true}, {"-1", false}, {"1e7", false}} {
		src := "stages:\n  d:\n    kind: data-portfolio\n    params: {alpha: " + c.alpha + "}\n"
		_, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{Registry: reg})
		if c.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), `param "alpha"`)) {
			t.Errorf("alpha %s: err = %v, want ok %v", c.alpha, err, c.ok)
		}
	}
}
