package stages

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
)

// TestMeanAndMCError checks the Monte-Carlo error by hand: draws 1, 2, 3, 6
// have mean 3 and sample variance (4+1+0+9)/3, so the error of the mean is
// sqrt(14/3)/2.
func TestMeanAndMCError(t *testing.T) {
	mu, se := meanAndMCError([]float64{1, 2, 3, 6}, true)
	if mu != 3 || math.Abs(se-math.Sqrt(14.0/3)/2) > 1e-15 {
		t.Errorf("mean %g ± %g, want 3 ± %g", mu, se, math.Sqrt(14.0/3)/2)
	}
	if _, se := meanAndMCError([]float64{1, 2}, false); se != 0 {
		t.Errorf("deterministic evaluation has Monte-Carlo error %g", se)
	}
	if _, se := meanAndMCError([]float64{1}, true); !math.IsNaN(se) {
		t.Errorf("one stochastic draw has Monte-Carlo error %g, want NaN", se)
	}
}

// TestDrawRows checks that draw d takes samples d·M … of every context.
func TestDrawRows(t *testing.T) {
	const n, r, m = 3, 2, 2
	ys := mat.NewDense(n*r*m, 1, nil)
	for i := 0; i < n*r*m; i++ {
		ys.Set(i, 0, float64(i))
	}
	got := drawRows(ys, n, r, m, 1)
	want := []float64{2, 3, 6, 7, 10, 11}
	for i, w := range want {
		if got.At(i, 0) != w {
			t.Fatalf("draw 1 row %d = %g, want %g", i, got.At(i, 0), w)
		}
	}
}

// TestSetDraws averages two hand-made draws: per-unit means, the mean loss
// and its Monte-Carlo error |a − b|/2 for two draws.
func TestSetDraws(t *testing.T) {
	var out splitMetrics
	out.n = 2
	out.setDraws([]drawOutcome{
		{costs: []float64{1, 3}, returns: []float64{1, -1}, sharpe: 1, effAssets: 2},
		{costs: []float64{3, 5}, returns: []float64{3, 1}, sharpe: 3, effAssets: 4},
	}, true)
	if out.taskLoss != 3 || out.taskLossSE != 1 || out.returnPct != 1 || out.returnPctSE != 1 ||
		out.sharpe != 2 || out.effAssets != 3 || out.draws != 2 {
		t.Errorf("split figures %+v", out)
	}
	if out.unitLoss[0] != 2 || out.unitLoss[1] != 4 || out.unitReturn[0] != 2 || out.unitReturn[1] != 0 {
		t.Errorf("unit losses %v, returns %v", out.unitLoss, out.unitReturn)
	}
}

// TestPortfolioRiskFigures checks the Sharpe ratio and the effective number
// of assets by hand.
func TestPortfolioRiskFigures(t *testing.T) {
	r := []float64{1, 2, 3}
	if got, want := annualizedSharpe(r), math.Sqrt(252)*2/1; math.Abs(got-want) > 1e-12 {
		t.Errorf("Sharpe %g, want %g", got, want)
	}
	if !math.IsNaN(annualizedSharpe([]float64{1, 1})) {
		t.Error("constant returns have a Sharpe ratio")
	}
	z := [][]float64{{1, 0, 0, 0}, {0.25, 0.25, 0.25, 0.25}}
	if got := effectiveAssets(z, 2); got != 2.5 {
		t.Errorf("effective assets %g, want (1 + 4)/2", got)
	}
	y := mat.NewDense(2, 2, []float64{0.01, 0.02, -0.01, 0.03})
	if got := dailyReturnsPct(y, [][]float64{{0.5, 0.5}}); math.Abs(got[0]-1.5) > 1e-12 || math.Abs(got[1]-1) > 1e-12 {
		t.Errorf("daily returns %v, want [1.5 1]", got)
	}
}

// TestEvaluateDraws runs the evaluate kind on a Gaussian model with R = 4
// draws: the Monte-Carlo error is positive, the units output averages to
// the split's task loss, the run is deterministic, and one draw differs
// from the mean of four.
func TestEvaluateDraws(t *testing.T) {
	rec, _ := loadData(t, map[string]any{"n": 200})
	g, err := model.NewGaussian(model.GaussianConfig{XDim: 20, YDim: 10, Hidden: []int{8}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	mrec, err := g.Record()
	if err != nil {
		t.Fatal(err)
	}
	mrec = withMeta(mrec, map[string]string{MetaTask: TaskSynthetic})
	run := func(draws int) (arrow.Record, arrow.Record) {
		out, _ := runKind(t, evaluateKind, map[string]any{"method": "two-stage-gaussian", "seed": 3, "samples": 4, "draws": draws},
			map[string]arrow.Record{"data": rec, "model": roundTrip(t, mrec)}, "")
		return out["metrics"], out["units"]
	}
	m4, u4 := run(4)
	loss, _ := arrowtab.Float64s(m4, ColTaskLoss)
	se, _ := arrowtab.Float64s(m4, ColTaskLossMCSE)
	draws, _ := arrowtab.Int64s(m4, ColDraws)
	if se[1] <= 0 || math.IsNaN(se[1]) || draws[1] != 4 {
		t.Errorf("Monte-Carlo error %v with draws %v", se, draws)
	}
	splits, _ := arrowtab.Strings(u4, ColSplit)
	unitLoss, _ := arrowtab.Float64s(u4, ColTaskLoss)
	var sum float64
	var n int
	for i, s := range splits {
		if s == "test" {
			sum, n = sum+unitLoss[i], n+1
		}
	}
	if n != 40 || math.Abs(sum/float64(n)-loss[1]) > 1e-12 {
		t.Errorf("units: %d test rows with mean %g, metrics task loss %g", n, sum/float64(n), loss[1])
	}
	again, _ := run(4)
	loss2, _ := arrowtab.Float64s(again, ColTaskLoss)
	if loss2[1] != loss[1] {
		t.Errorf("two runs gave %g and %g", loss[1], loss2[1])
	}
	m1, _ := run(1)
	loss1, _ := arrowtab.Float64s(m1, ColTaskLoss)
	se1, _ := arrowtab.Float64s(m1, ColTaskLossMCSE)
	if loss1[1] == loss[1] || !math.IsNaN(se1[1]) {
		t.Errorf("one draw: loss %g (four draws %g), Monte-Carlo error %g", loss1[1], loss[1], se1[1])
	}
}

// TestEvaluatePointModelOneDraw: a point model's evaluation is
// deterministic, so it reports one draw and zero Monte-Carlo error however
// many draws are asked for.
func TestEvaluatePointModelOneDraw(t *testing.T) {
	rec, _ := loadData(t, map[string]any{"n": 300})
	tk, err := newTask(rec)
	if err != nil {
		t.Fatal(err)
	}
	test := tk.split(datasets.Test)
	rule, _ := newDecisionRule(tk, DecisionPerX, GradientsExact, -1)
	pred := &predictor{point: &model.Point{Net: newLookupNet(test)}}
	got, err := evaluateSplit(t.Context(), tk, pred, test, evalConfig{m: 8, draws: 5, rule: rule}, newRNG(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got.draws != 1 || got.taskLossSE != 0 || len(got.unitLoss) != test.n() {
		t.Errorf("point model: %d draws, Monte-Carlo error %g, %d units", got.draws, got.taskLossSE, len(got.unitLoss))
	}
}
