package stages

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// figureCurvesKind draws the learning curves of the DFL runs (figure 3).
func figureCurvesKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "figure-curves",
		Doc: "Figure 3: the hold task loss after every DFL epoch (epoch 0: the model as it came in) of every run of " +
			"the curves fan-in, one panel per dataset label, one colour per method (the same in every figure), one " +
			"thin line per seed and a thick line for the mean over seeds; uniform (diffusion-sf) and importance-" +
			"sampled (diffusion-sf-is) timesteps appear side by side in each panel. Output: a PNG figure table " +
			"(export it with format blob).",
		Params: []pipeline.ParamSpec{
			{Name: "columns", Type: pipeline.Int, Default: 3, Doc: "panels per row"},
		},
		Inputs:  []pipeline.PortSpec{{Name: "curves", Many: true, Doc: "fan-in of DFL curve outputs (dfl-*.curve)"}},
		Outputs: []pipeline.PortSpec{{Name: "png", Doc: "the figure: one-row table, binary column png, caption metadata"}},
		Run:     runFigureCurves,
	}
}

// curveRun is one DFL run's hold curve.
type curveRun struct {
	dataset, method, seed string
	epochs, hold          []float64
}

// runFigureCurves is the Run function of the figure-curves kind.
func runFigureCurves(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	names, recs := fanInRecords(in.Tables, "curves")
	byDataset := map[string][]curveRun{}
	for _, stage := range names {
		run, err := readCurveRun(stage, recs[stage])
		if err != nil {
			return nil, err
		}
		if run.hold != nil {
			byDataset[run.dataset] = append(byDataset[run.dataset], run)
		}
	}
	if len(byDataset) == 0 {
		return nil, fmt.Errorf("%w: figure-curves: no DFL curve (with %s) among %d inputs", ErrInput, ColHoldTaskLoss, len(names))
	}
	datasets := slices.Sorted(maps.Keys(byDataset))
	var panels []*plot.Plot
	for _, ds := range datasets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pl, err := curvePanel(ds, byDataset[ds])
		if err != nil {
			return nil, err
		}
		panels = append(panels, pl)
	}
	cols := min(max(1, p.Int("columns")), len(panels))
	png, err := renderPanels(panels, (len(panels)+cols-1)/cols, cols)
	if err != nil {
		return nil, err
	}
	r.Logf("figure-curves: %d runs over %d datasets (%s)", len(names), len(datasets), strings.Join(datasets, ", "))
	rec, err := figureRecord(png, "Learning curves: hold task loss per DFL epoch (epoch 0 = the pretrained model); "+
		"thin lines are seeds, thick lines their mean.")
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"png": rec}, nil
}

// readCurveRun reads a curve's identity and hold losses; a curve without a
// hold task loss column (a pretraining curve) gives a run with nil hold.
func readCurveRun(stage string, rec arrow.Record) (curveRun, error) {
	id, err := readRunID(stage, rec)
	if err != nil {
		return curveRun{}, err
	}
	run := curveRun{dataset: id.dataset, method: id.method}
	run.seed, _ = arrowtab.Meta(rec, MetaSeed)
	if len(rec.Schema().FieldIndices(ColHoldTaskLoss)) == 0 {
		return run, nil
	}
	ep, err := arrowtab.Int64s(rec, ColEpoch)
	if err != nil {
		return run, fmt.Errorf("%w: figure-curves: stage %s: %w", ErrInput, stage, err)
	}
	if run.hold, err = arrowtab.Float64s(rec, ColHoldTaskLoss); err != nil {
		return run, fmt.Errorf("%w: figure-curves: stage %s: %w", ErrInput, stage, err)
	}
	for _, e := range ep {
		run.epochs = append(run.epochs, float64(e))
	}
	return run, nil
}

// curvePanel draws one dataset's runs: thin seeds, thick mean per method.
func curvePanel(dataset string, runs []curveRun) (*plot.Plot, error) {
	pl := newPanel(dataset, "DFL epoch", "hold task loss (lower is better)")
	byMethod := map[string][]curveRun{}
	for _, run := range runs {
		byMethod[run.method] = append(byMethod[run.method], run)
	}
	for _, m := range slices.Sorted(maps.Keys(byMethod)) {
		c := MethodColor(m)
		for _, run := range byMethod[m] {
			if err := addLine(pl, run.epochs, run.hold, withAlpha(c, 0.35), vg.Points(0.8), false, ""); err != nil {
				return nil, err
			}
		}
		xs, mean := meanCurve(byMethod[m])
		if err := addLine(pl, xs, mean, c, vg.Points(2.2), false, seedsLabel(m, len(byMethod[m]))); err != nil {
			return nil, err
		}
	}
	roomForLegend(pl, len(byMethod))
	pl.X.Tick.Marker = integerTicks{}
	return pl, nil
}

// integerTicks marks every whole number of an axis (epochs), at most about
// ten of them.
type integerTicks struct{}

// Ticks implements plot.Ticker.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Max(1, math.Ceil((hi-lo)/10))
	var ts []plot.Tick
	for v := math.Ceil(lo); v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprint(v)})
	}
	return ts
}

// meanCurve averages the runs' hold losses epoch by epoch over the epochs
// every run has.
func meanCurve(runs []curveRun) (xs, mean []float64) {
	n := math.MaxInt
	for _, run := range runs {
		n = min(n, len(run.hold))
	}
	for i := 0; i < n; i++ {
		s := 0.0
		for _, run := range runs {
			s += run.hold[i]
		}
		xs, mean = append(xs, runs[0].epochs[i]), append(mean, s/float64(len(runs)))
	}
	return xs, mean
}
