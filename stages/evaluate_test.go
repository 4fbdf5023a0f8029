package stages

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// lookupNet is a fake point network that returns the true target of each
// context it was built from (found by the row's first feature): a perfect
// prediction, so its decisions are the hindsight oracle's.
type lookupNet struct {
	y map[float32][]float32
}

func newLookupNet(s *split) *lookupNet {
	l := &lookupNet{y: map[float32][]float32{}}
	for i := 0; i < s.n(); i++ {
		l.y[s.x.Row(i)[0]] = s.yf.Row(i)
	}
	return l
}

func (l *lookupNet) Params() []*nn.Param { return nil }
func (l *lookupNet) Forward(x *nn.Matrix, _ *nn.Tape) *nn.Matrix {
	out := nn.NewMatrix(x.Rows, len(l.y[x.Row(0)[0]]))
	for i := 0; i < x.Rows; i++ {
		copy(out.Row(i), l.y[x.Row(i)[0]])
	}
	return out
}
func (l *lookupNet) Backward(*nn.Tape, *nn.Matrix) *nn.Matrix { panic("not differentiable") }

// TestPerfectPredictionGivesOracle evaluates a point model that predicts y
// exactly: per-context decisions are then the hindsight oracle's, so the
// metrics must equal the hindsight kind's, and the RMSE is 0 (to float32
// rounding).
func TestPerfectPredictionGivesOracle(t *testing.T) {
	rec, _ := loadData(t, map[string]any{"n": 300})
	tk, err := newTask(rec)
	if err != nil {
		t.Fatal(err)
	}
	test := tk.split(datasets.Test)
	rule, _ := newDecisionRule(tk, DecisionPerX, GradientsExact, -1)
	pred := &predictor{point: &model.Point{Net: newLookupNet(test)}}
	got, err := evaluateSplit(context.Background(), tk, pred, test, evalConfig{m: 8, rule: rule}, newRNG(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := runKind(t, hindsightKind, map[string]any{"splits": []any{"test"}}, map[string]arrow.Record{"data": rec}, "")
	oracle, err := arrowtab.Float64s(out["metrics"], ColTaskLoss)
	if err != nil {
		t.Fatal(err)
	}
	// Oracle with y as the single sample: z_i = C where y_i > 0, so the cost
	// is exp(−2 Σ_i y_i⁺).
	var want float64
	for i := 0; i < test.n(); i++ {
		var s float64
		for _, v := range test.y.RawRowView(i) {
			s += math.Max(v, 0)
		}
		want += math.Exp(-2*s) / float64(test.n())
	}
	if math.Abs(got.taskLoss-oracle[0]) > 1e-12 || math.Abs(want-oracle[0]) > 1e-9*want {
		t.Errorf("perfect prediction %g, hindsight oracle %g, hand computed %g", got.taskLoss, oracle[0], want)
	}
	if got.rmse > 1e-7 || got.m != 1 || got.n != test.n() || !math.IsNaN(got.returnPct) || !math.IsNaN(got.rmseHourSum) {
		t.Errorf("metrics %+v", got)
	}
}

func TestSampleRMSE(t *testing.T) {
	y := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	// Two samples per row: errors (1, 0), (−1, 2) for row 0; (0, 0), (3, 0) for row 1.
	ys := mat.NewDense(4, 2, []float64{2, 2, 0, 4, 3, 4, 6, 4})
	rmse, sum := sampleRMSE(ys, y, 2)
	wantRMSE := math.Sqrt((1 + 0 + 1 + 4 + 0 + 0 + 9 + 0) / 8.0)
	wantSum := math.Sqrt((1+1+0+9)/4.0) + math.Sqrt((0+4+0+0)/4.0)
	if math.Abs(rmse-wantRMSE) > 1e-15 || math.Abs(sum-wantSum) > 1e-15 {
		t.Errorf("rmse %g and per-dimension sum %g, want %g and %g", rmse, sum, wantRMSE, wantSum)
	}
}

// TestHindsightPortfolio checks the portfolio reference rows by hand: the
// oracle earns mean max_i y, equal weights mean mean_i y.
func TestHindsightPortfolio(t *testing.T) {
	d := &datasets.Dataset{Name: TaskPortfolio, Meta: map[string]string{datasetMetaLabel: LabelPortfolioLegacy},
		X: mat.NewDense(3, 1, []float64{1, 2, 3}), Y: mat.NewDense(3, 3, []float64{0.01, 0.03, -0.02, -0.01, -0.02, -0.005, 0.02, 0, 0.01}),
		XNames: []string{"f"}, YNames: []string{"a", "b", "c"}, RowID: []string{"d1", "d2", "d3"},
		Split: []datasets.Split{datasets.Test, datasets.Test, datasets.Test}}
	rec, err := d.Record()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method string
		ret    float64
		eff    float64 // effective number of assets: one asset a day, or all three
	}{{MethodOracle, 100 * (0.03 - 0.005 + 0.02) / 3, 1}, {MethodEqualWeight, 100 * (0.02 - 0.035 + 0.03) / 9, 3}} {
		out, rep := runKind(t, hindsightKind, map[string]any{"method": c.method, "splits": []any{"test"}}, map[string]arrow.Record{"data": rec}, "")
		ret, _ := arrowtab.Float64s(out["metrics"], ColReturnPct)
		loss, _ := arrowtab.Float64s(out["metrics"], ColTaskLoss)
		if math.Abs(ret[0]-c.ret) > 1e-12 || math.Abs(loss[0]+ret[0]/100) > 1e-9 {
			t.Errorf("%s: return %g%%, task loss %g; want %g%% and ≈ −return", c.method, ret[0], loss[0], c.ret)
		}
		if eff, _ := arrowtab.Float64s(out["metrics"], ColEffAssets); math.Abs(eff[0]-c.eff) > 1e-12 {
			t.Errorf("%s: effective assets %g, want %g", c.method, eff[0], c.eff)
		}
		if ds, _ := arrowtab.Meta(out["metrics"], MetaDataset); ds != LabelPortfolioLegacy {
			t.Errorf("%s: dataset %q", c.method, ds)
		}
		if !rep.has(c.method + " test") {
			t.Errorf("%s: log %v", c.method, rep.lines)
		}
	}
	if _, _, err := tryKind(hindsightKind, map[string]any{"method": MethodEqualWeight}, map[string]arrow.Record{"data": roundTrip(t, loadDataRec(t))}, ""); err == nil {
		t.Error("equal-weight on the synthetic task did not fail")
	}
}

func loadDataRec(t *testing.T) arrow.Record {
	rec, _ := loadData(t, map[string]any{"n": 100})
	return rec
}

// TestEvaluateSchema runs the evaluate kind on a Gaussian model and checks
// the metrics contract: columns, rows per split, metadata, M.
func TestEvaluateSchema(t *testing.T) {
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
	out, rep := runKind(t, evaluateKind, map[string]any{"method": "two-stage-gaussian", "seed": 7, "samples": 6},
		map[string]arrow.Record{"data": rec, "model": roundTrip(t, mrec)}, "")
	m := out["metrics"]
	if m.NumRows() != 2 || m.NumCols() != 12 {
		t.Fatalf("metrics %d rows × %d columns", m.NumRows(), m.NumCols())
	}
	splits, _ := arrowtab.Strings(m, ColSplit)
	ms, _ := arrowtab.Int64s(m, ColM)
	ns, _ := arrowtab.Int64s(m, ColN)
	if splits[0] != "hold" || splits[1] != "test" || ms[0] != 6 || ns[0] != 32 || ns[1] != 40 {
		t.Errorf("splits %v, m %v, n %v", splits, ms, ns)
	}
	for k, want := range map[string]string{arrowtab.MetaKind: KindMetrics, MetaTask: TaskSynthetic, MetaDataset: TaskSynthetic, MetaMethod: "two-stage-gaussian", MetaSeed: "7"} {
		if got, _ := arrowtab.Meta(m, k); got != want {
			t.Errorf("metadata %s = %q, want %q", k, got, want)
		}
	}
	if len(rep.progress) != 2 || rep.progress[1] != "2/2 split" {
		t.Errorf("progress %v", rep.progress)
	}
	// A model of another task is refused.
	bad := withMeta(roundTrip(t, mrec), map[string]string{MetaTask: TaskPower})
	if _, _, err := tryKind(evaluateKind, map[string]any{"method": "x"}, map[string]arrow.Record{"data": rec, "model": bad}, ""); err == nil {
		t.Error("a power model was evaluated on synthetic data")
	}
}
