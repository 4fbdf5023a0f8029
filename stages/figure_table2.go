package stages

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// figureTable2Kind draws Table 2 (the estimator ablation) as bar charts.
func figureTable2Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: "figure-table2",
		Doc: "Table 2 as a figure: for every estimator row of the paper-tables stage's table2, bars of the test task " +
			"loss (mean ± std over seeds); with a step-cost table, the time per DFL step (ms) and the memory per " +
			"step (the estimator's own MiB, and the Go heap's peak MiB) against the number of sampling steps S, one " +
			"line per estimator; without one, bars of table2's time and memory at its one S. One colour per method. " +
			"Output: a PNG figure table (export it with format blob).",
		Inputs: []pipeline.PortSpec{
			{Name: "table2", Doc: "the paper-tables stage's table2"},
			{Name: "costs", Optional: true, Doc: "a step-cost stage's costs (time and memory per step against S)"},
		},
		Outputs: []pipeline.PortSpec{{Name: "png", Doc: "the figure: one-row table, binary column png, caption metadata"}},
		Run:     runFigureTable2,
	}
}

// runFigureTable2 is the Run function of the figure-table2 kind.
func runFigureTable2(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t2 := in.Tables["table2"]
	if t2 == nil {
		return nil, fmt.Errorf("%w: figure-table2: input table2 is missing", ErrInput)
	}
	methods, err := arrowtab.Strings(t2, "method")
	if err != nil {
		return nil, fmt.Errorf("%w: figure-table2: %w", ErrInput, err)
	}
	cols := map[string][]float64{}
	for _, c := range []string{"loss_mean", "loss_std", "ms/step", "estimator MiB", "heap peak MiB"} {
		if cols[c], err = arrowtab.Float64s(t2, c); err != nil {
			return nil, fmt.Errorf("%w: figure-table2: %w", ErrInput, err)
		}
	}
	steps, _ := arrowtab.Int64s(t2, "S")
	sLabel := ""
	if len(steps) > 0 {
		sLabel = fmt.Sprintf(" (S = %d)", steps[0])
	}
	loss, err := barPanel("test task loss"+sLabel, "test task loss (mean ± std)", methods, cols["loss_mean"], cols["loss_std"])
	if err != nil {
		return nil, err
	}
	panels := []*plot.Plot{loss}
	caption := "Table 2 as a figure: the estimator ablation's test task loss" + sLabel
	if costs := in.Tables["costs"]; costs != nil {
		more, err := costPanels(costs)
		if err != nil {
			return nil, err
		}
		panels = append(panels, more...)
		caption += "; time and memory per DFL step against the sampling steps S (step-cost, power, one seed)."
	} else {
		for _, spec := range []struct{ title, y, col string }{
			{"time per step" + sLabel, "ms per DFL step", "ms/step"},
			{"estimator memory" + sLabel, "MiB per step (activations)", "estimator MiB"},
			{"heap peak" + sLabel, "MiB (Go heap peak)", "heap peak MiB"},
		} {
			pl, err := barPanel(spec.title, spec.y, methods, cols[spec.col], nil)
			if err != nil {
				return nil, err
			}
			panels = append(panels, pl)
		}
		caption += ", time and memory per DFL step."
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	png, err := renderPanels(panels, 2, 2)
	if err != nil {
		return nil, err
	}
	r.Logf("figure-table2: %d estimators", len(methods))
	rec, err := figureRecord(png, caption)
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"png": rec}, nil
}

// barPanel draws one bar per method in its colour, with ±errs whiskers
// when errs is non-nil; NaN values leave a gap.
func barPanel(title, yLabel string, methods []string, vals, errs []float64) (*plot.Plot, error) {
	pl := newPanel(title, "", yLabel)
	pl.Legend.Top = false
	for i, m := range methods {
		v := vals[i]
		if math.IsNaN(v) {
			continue
		}
		bars, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(22))
		if err != nil {
			return nil, fmt.Errorf("figure bars %s: %w", m, err)
		}
		bars.XMin, bars.Color, bars.LineStyle.Width = float64(i), MethodColor(m), 0
		pl.Add(bars)
		if errs != nil && !math.IsNaN(errs[i]) {
			eb, err := plotter.NewYErrorBars(barErr{x: float64(i), y: v, e: errs[i]})
			if err != nil {
				return nil, fmt.Errorf("figure error bars %s: %w", m, err)
			}
			eb.LineStyle.Width = vg.Points(1.2)
			pl.Add(eb)
		}
	}
	pl.NominalX(methods...)
	pl.X.Tick.Label.Rotation = math.Pi / 6
	pl.X.Tick.Label.XAlign, pl.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	pl.Y.Min = 0
	return pl, nil
}

// barErr is one whisker of a bar: y ± e at x (plotter.XYer and YErrorer).
type barErr struct{ x, y, e float64 }

func (b barErr) Len() int                      { return 1 }
func (b barErr) XY(int) (float64, float64)     { return b.x, b.y }
func (b barErr) YError(int) (float64, float64) { return b.e, b.e }

// costPanels draws a step-cost table: time, estimator memory and heap peak
// per DFL step against S (log axis), one line per method.
func costPanels(costs arrow.Record) ([]*plot.Plot, error) {
	methods, err := arrowtab.Strings(costs, "method")
	if err != nil {
		return nil, fmt.Errorf("%w: figure-table2: costs: %w", ErrInput, err)
	}
	ss, err := arrowtab.Int64s(costs, "S")
	if err != nil {
		return nil, fmt.Errorf("%w: figure-table2: costs: %w", ErrInput, err)
	}
	var panels []*plot.Plot
	for _, spec := range []struct{ title, y, col string }{
		{"time per step", "ms per DFL step", ColMsPerStep},
		{"estimator memory", "MiB per step (SF tape / RP chain)", ColEstimatorMiB},
		{"heap peak", "MiB (Go heap peak per step)", ColHeapPeakMiB},
	} {
		vals, err := arrowtab.Float64s(costs, spec.col)
		if err != nil {
			return nil, fmt.Errorf("%w: figure-table2: costs: %w", ErrInput, err)
		}
		pl := newPanel(spec.title+" against S", "DDIM sampling steps S (log scale)", spec.y)
		pl.X.Scale, pl.X.Tick.Marker = plot.LogScale{}, sTicks(ss)
		pl.Legend.Top, pl.Legend.Left = true, true
		byMethod := map[string]plotter.XYs{}
		var order []string
		for i, m := range methods {
			if _, ok := byMethod[m]; !ok {
				order = append(order, m)
			}
			byMethod[m] = append(byMethod[m], plotter.XY{X: float64(ss[i]), Y: vals[i]})
		}
		for _, m := range order {
			pts := byMethod[m]
			sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
			xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
			for i, pt := range pts {
				xs[i], ys[i] = pt.X, pt.Y
			}
			if err := addLine(pl, xs, ys, MethodColor(m), vg.Points(2), false, m); err != nil {
				return nil, err
			}
			if err := addPoints(pl, xs, ys, MethodColor(m)); err != nil {
				return nil, err
			}
		}
		pl.Y.Min = 0
		roomForLegend(pl, len(order))
		panels = append(panels, pl)
	}
	return panels, nil
}

// sTicks labels the measured S values on a log axis.
func sTicks(ss []int64) plot.ConstantTicks {
	seen := map[int64]bool{}
	var ticks plot.ConstantTicks
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			ticks = append(ticks, plot.Tick{Value: float64(s), Label: fmt.Sprint(s)})
		}
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Value < ticks[j].Value })
	return ticks
}
