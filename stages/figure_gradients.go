package stages

import (
	"context"
	"fmt"
	"image/color"
	"maps"
	"slices"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// figureGradientsKind draws the gradient diagnostic's cosines (figure 2).
func figureGradientsKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "figure-gradients",
		Doc: "Figure 2: the cosine similarity between the score-function and reparameterization gradients against " +
			"the number of ELBO timesteps K (log axis), from a gradient-diagnostic stage's cosines: one panel per " +
			"DDIM η and noise setting, the uniform sampler in diffusion-sf's colour and the importance sampler in " +
			"diffusion-sf-is's, raw KKT weights solid and centered weights dashed; dotted: the split-half corrected " +
			"cosine of the raw-weight rows. Output: a PNG figure table (export it with format blob).",
		Inputs:  []pipeline.PortSpec{{Name: "cosines", Doc: "a gradient-diagnostic stage's cosines"}},
		Outputs: []pipeline.PortSpec{{Name: "png", Doc: "the figure: one-row table, binary column png, caption metadata"}},
		Run:     runFigureGradients,
	}
}

// cosinePoint is one row of the diagnostic table.
type cosinePoint struct {
	k                    float64
	cos, corrected       float64
	timesteps, weights   string
	panelEta, panelNoise string
}

// runFigureGradients is the Run function of the figure-gradients kind.
func runFigureGradients(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	pts, err := readCosines(in.Tables["cosines"])
	if err != nil {
		return nil, err
	}
	panelsOf := map[string][]cosinePoint{}
	for _, pt := range pts {
		key := fmt.Sprintf("η = %s, %s noise", pt.panelEta, pt.panelNoise)
		panelsOf[key] = append(panelsOf[key], pt)
	}
	var panels []*plot.Plot
	for _, key := range slices.Sorted(maps.Keys(panelsOf)) {
		pl, err := cosinePanel(key, panelsOf[key])
		if err != nil {
			return nil, err
		}
		panels = append(panels, pl)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cols := min(2, len(panels))
	png, err := renderPanels(panels, (len(panels)+cols-1)/cols, cols)
	if err != nil {
		return nil, err
	}
	r.Logf("figure-gradients: %d rows in %d panels", len(pts), len(panels))
	rec, err := figureRecord(png, "Cosine similarity of score-function and reparameterization gradients against the ELBO timesteps K.")
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"png": rec}, nil
}

// readCosines reads the diagnostic rows.
func readCosines(tbl arrow.Record) ([]cosinePoint, error) {
	if tbl == nil {
		return nil, fmt.Errorf("%w: figure-gradients: input cosines is missing", ErrInput)
	}
	ks, err := arrowtab.Int64s(tbl, "K")
	if err != nil {
		return nil, fmt.Errorf("%w: figure-gradients: %w", ErrInput, err)
	}
	cos, err1 := arrowtab.Float64s(tbl, "cos_rp")
	corr, err2 := arrowtab.Float64s(tbl, "cos_rp_corrected")
	eta, err3 := arrowtab.Float64s(tbl, "eta")
	ts, err4 := arrowtab.Strings(tbl, "timesteps")
	ws, err5 := arrowtab.Strings(tbl, "weights")
	ns, err6 := arrowtab.Strings(tbl, "noise")
	for _, e := range []error{err1, err2, err3, err4, err5, err6} {
		if e != nil {
			return nil, fmt.Errorf("%w: figure-gradients: %w", ErrInput, e)
		}
	}
	pts := make([]cosinePoint, len(ks))
	for i := range ks {
		pts[i] = cosinePoint{k: float64(ks[i]), cos: cos[i], corrected: corr[i], timesteps: ts[i], weights: ws[i],
			panelEta: fmt.Sprint(eta[i]), panelNoise: ns[i]}
	}
	return pts, nil
}

// cosinePanel draws one panel's lines, one per (timesteps, weights).
func cosinePanel(title string, pts []cosinePoint) (*plot.Plot, error) {
	pl := newPanel(title, "ELBO timesteps K (log scale)", "cos(SF gradient, RP gradient)")
	pl.X.Scale, pl.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	pl.Legend.Top, pl.Legend.Left = true, true
	lines := map[string][]cosinePoint{}
	for _, pt := range pts {
		key := pt.timesteps + "/" + pt.weights
		lines[key] = append(lines[key], pt)
	}
	for _, key := range slices.Sorted(maps.Keys(lines)) {
		l := lines[key]
		sort.Slice(l, func(i, j int) bool { return l[i].k < l[j].k })
		method := "diffusion-sf"
		if l[0].timesteps == TimestepsImportance {
			method = "diffusion-sf-is"
		}
		xs, ys, cs := make([]float64, len(l)), make([]float64, len(l)), make([]float64, len(l))
		for i, pt := range l {
			xs[i], ys[i], cs[i] = pt.k, pt.cos, pt.corrected
		}
		name := fmt.Sprintf("%s timesteps, %s weights", l[0].timesteps, l[0].weights)
		if err := addLine(pl, xs, ys, MethodColor(method), vg.Points(2), l[0].weights == WeightsCentered, name); err != nil {
			return nil, err
		}
		if err := addPoints(pl, xs, ys, MethodColor(method)); err != nil {
			return nil, err
		}
		if l[0].weights == WeightsRaw {
			if err := addDotted(pl, xs, cs, withAlpha(MethodColor(method), 0.6)); err != nil {
				return nil, err
			}
		}
	}
	if err := styleLegend(pl, pts); err != nil {
		return nil, err
	}
	// Headroom above the lines for the legend (three or four entries at the
	// top left), so it never covers a cosine near or above 1.
	pl.Y.Max = max(pl.Y.Max, 1)
	top := pl.Y.Max
	pl.Y.Max += 0.4 * (pl.Y.Max - pl.Y.Min)
	pl.Y.Tick.Marker = ticksUpTo{top}
	return pl, nil
}

// ticksUpTo marks the default ticks no higher than max, so the headroom
// left for a legend carries no tick labels beyond the data's scale.
type ticksUpTo struct{ max float64 }

func (t ticksUpTo) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, tk := range (plot.DefaultTicks{}).Ticks(min, max) {
		if tk.Value <= t.max+1e-9 {
			out = append(out, tk)
		}
	}
	return out
}

// styleLegend adds grey legend entries saying what the line styles mean:
// solid and dashed are the raw and centered weights (when both appear),
// dotted the split-half corrected cosine of the raw-weight rows.
func styleLegend(pl *plot.Plot, pts []cosinePoint) error {
	seen := map[string]bool{}
	for _, pt := range pts {
		seen[pt.weights] = true
	}
	grey := color.RGBA{0x55, 0x55, 0x55, 0xFF}
	if seen[WeightsCentered] {
		if err := legendOnly(pl, grey, []vg.Length{vg.Points(5), vg.Points(3)}, "dashed: centered weights (mean baseline)"); err != nil {
			return err
		}
	}
	if seen[WeightsRaw] {
		return legendOnly(pl, grey, []vg.Length{vg.Points(1.5), vg.Points(2)}, "dotted: split-half corrected cosine (raw weights)")
	}
	return nil
}

// legendOnly adds a legend entry with a line of colour c and dashes that
// stands for a style, not for a series.
func legendOnly(pl *plot.Plot, c color.Color, dashes []vg.Length, name string) error {
	l, err := plotter.NewLine(plotter.XYs{{X: 1, Y: 0}})
	if err != nil {
		return fmt.Errorf("figure legend %q: %w", name, err)
	}
	l.Color, l.Width, l.Dashes = c, vg.Points(1.5), dashes
	pl.Legend.Add(name, l)
	return nil
}

// addDotted adds the polyline (xs, ys) dotted in colour c, without a
// legend entry (styleLegend explains the dots).
func addDotted(pl *plot.Plot, xs, ys []float64, c color.Color) error {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("figure dotted line: %w", err)
	}
	l.Color, l.Width, l.Dashes = c, vg.Points(1.2), []vg.Length{vg.Points(1.5), vg.Points(2)}
	pl.Add(l)
	return nil
}

// addPoints marks (xs, ys) with filled circles in colour c.
func addPoints(pl *plot.Plot, xs, ys []float64, c color.Color) error {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("figure points: %w", err)
	}
	s.GlyphStyle.Color, s.GlyphStyle.Radius, s.GlyphStyle.Shape = c, vg.Points(2.5), draw.CircleGlyph{}
	pl.Add(s)
	return nil
}
