package stages

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// figureTable2Kind draws Table 2 (the estimator ablation) as bar charts.
func figureTable2Kind() pipeline.Kind {
	return pipeline.Kind{
		Name: "figure-table2",
		Doc: "Table 2 as a figure: for every estimator row of the paper-tables stage's table2, bars of the test task " +
			"loss (mean ± std over seeds), the time per DFL step (ms) and the memory per step (the estimator's " +
			"activation MiB, and the Go heap's peak MiB), one colour per method. The table's runs share one number " +
			"of sampling steps S, named in the titles. Output: a PNG figure table (export it with format blob).",
		Inputs:  []pipeline.PortSpec{{Name: "table2", Doc: "the paper-tables stage's table2"}},
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
	methods, err := artifacts.Strings(t2, "method")
	if err != nil {
		return nil, fmt.Errorf("%w: figure-table2: %w", ErrInput, err)
	}
	cols := map[string][]float64{}
	for _, c := range []string{"loss_mean", "loss_std", "ms/step", "estimator MiB", "heap peak MiB"} {
		if cols[c], err = artifacts.Float64s(t2, c); err != nil {
			return nil, fmt.Errorf("%w: figure-table2: %w", ErrInput, err)
		}
	}
	steps, _ := artifacts.Int64s(t2, "S")
	sLabel := ""
	if len(steps) > 0 {
		sLabel = fmt.Sprintf(" (S = %d)", steps[0])
	}
	var panels []*plot.Plot
	for _, spec := range []struct{ title, y, col, errCol string }{
		{"test task loss", "test task loss (mean ± std)", "loss_mean", "loss_std"},
		{"time per step" + sLabel, "ms per DFL step", "ms/step", ""},
		{"estimator memory" + sLabel, "MiB per step (activations)", "estimator MiB", ""},
		{"heap peak" + sLabel, "MiB (Go heap peak)", "heap peak MiB", ""},
	} {
		pl, err := barPanel(spec.title, spec.y, methods, cols[spec.col], cols[spec.errCol])
		if err != nil {
			return nil, err
		}
		panels = append(panels, pl)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	png, err := renderPanels(panels, 2, 2)
	if err != nil {
		return nil, err
	}
	r.Logf("figure-table2: %d estimators", len(methods))
	rec, err := figureRecord(png, "Table 2 as a figure: the estimator ablation's test task loss, time and memory per DFL step"+sLabel+".")
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
