package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// figureSamplesKind draws trained models' samples against the true targets
// and the decisions they induce (figures 1 and 4).
func figureSamplesKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "figure-samples",
		Doc: "Figures 1 and 4: for a few test contexts, the samples of every stochastic model of the models fan-in, " +
			"the prediction of every point model and the true target, over the target's dimensions (synthetic: " +
			"asset returns y_d; power: the 24 hourly loads), and under them the decision each model induces (the " +
			"task's stochastic program solved on its samples, or on its one prediction). The panels show what the " +
			"paper's motivation says: a point prediction sits between the modes and its decision ignores the " +
			"spread. One colour per method, as in every figure. Output: a PNG figure table (export with format blob).",
		Params: []pipeline.ParamSpec{
			seedParam("seed of the samples"),
			intParam("contexts", 2, "test contexts drawn (the first ones of the test split)"),
			intParam("samples", 32, "M, samples per context of a stochastic model"),
			intParam("steps", 20, "DDIM sampling steps S of a diffusion model"),
			floatParam("eta", 0, "DDIM η of a model whose training params name none (a pretrained model); a DFL model samples with the eta of its own training params (trained_by metadata), as its evaluation does"),
			{Name: "title", Type: pipeline.String, Default: "", Doc: "caption of the figure"},
		},
		Inputs: []pipeline.PortSpec{
			{Name: "data", Doc: "a dataset artifact"},
			{Name: "models", Many: true, Doc: "fan-in of model artifacts of that dataset; a model without method metadata (pretrain-<arch>) is labelled two-stage-<arch>"},
		},
		Outputs: []pipeline.PortSpec{{Name: "png", Doc: "the figure: one-row table, binary column png, caption metadata"}},
		Run:     runFigureSamples,
	}
}

// modelDraw is one model's samples and decisions at the figure's contexts.
type modelDraw struct {
	method string
	m      int        // samples per context (1 for a point model)
	ys     *mat.Dense // row b·m + j
	z      [][]float64
}

// runFigureSamples is the Run function of the figure-samples kind.
func runFigureSamples(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	if err := positive(p, "contexts", "samples", "steps"); err != nil {
		return nil, err
	}
	test := t.split(datasets.Test)
	if err := test.needRows("figure-samples"); err != nil {
		return nil, err
	}
	sp := test.rows(rowRange(0, min(p.Int("contexts"), test.n())))
	names, recs := fanInRecords(in.Tables, "models")
	var draws []modelDraw
	for i, stage := range names {
		d, err := drawModel(ctx, t, sp, stage, recs[stage], p, uint64(i))
		if err != nil {
			return nil, err
		}
		if d != nil {
			draws = append(draws, *d)
		}
	}
	if len(draws) == 0 {
		return nil, fmt.Errorf("%w: figure-samples: no sampling or point model among %d inputs", ErrInput, len(names))
	}
	var panels []*plot.Plot
	for b := 0; b < sp.n(); b++ {
		top, err := samplesPanel(t, sp, draws, b)
		if err != nil {
			return nil, err
		}
		bottom, err := decisionPanel(t, draws, b)
		if err != nil {
			return nil, err
		}
		panels = append(panels, top, bottom)
	}
	png, err := renderPanels(transpose(panels, sp.n(), 2), 2, sp.n())
	if err != nil {
		return nil, err
	}
	r.Logf("figure-samples: %s, %d contexts: %s", t.label, sp.n(), methodList(draws))
	rec, err := figureRecord(png, p.String("title"))
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"png": rec}, nil
}

// drawModel samples one model at the contexts and solves its programs; a
// policy (no samples) is skipped.
func drawModel(ctx context.Context, t *task, sp *split, stage string, rec arrow.Record, p pipeline.Params, stream uint64) (*modelDraw, error) {
	pred, err := loadModelFor(t, rec)
	if err != nil {
		return nil, fmt.Errorf("figure-samples: model %s: %w", stage, err)
	}
	if pred.policy != nil {
		return nil, nil
	}
	method := pred.meta[MetaMethod]
	if method == "" {
		method = "two-stage-" + pred.arch
	}
	eta, err := trainedEta(pred.meta, p.Float("eta"))
	if err != nil {
		return nil, fmt.Errorf("figure-samples: model %s: %w", stage, err)
	}
	rng := newRNG(p.Int("seed"), streamEval+100+stream)
	ys, m, err := pred.sample(ctx, sp.x, p.Int("samples"), model.Sampler{Steps: p.Int("steps"), Eta: eta}, rng)
	if err != nil {
		return nil, fmt.Errorf("figure-samples: sample %s: %w", stage, err)
	}
	rule, err := newDecisionRule(t, DecisionPerX, GradientsExact, 0)
	if err != nil {
		return nil, err
	}
	dec, err := rule.solve(ctx, ys, sp.n(), m)
	if err != nil {
		return nil, fmt.Errorf("figure-samples: decide %s: %w", stage, err)
	}
	return &modelDraw{method: method, m: m, ys: ys, z: dec.z()}, nil
}

// trainedEta returns the DDIM η a model was trained and selected with (the
// eta param in its trained_by metadata), or fallback when its training
// params have none (pretrained models, point models).
func trainedEta(meta map[string]string, fallback float64) (float64, error) {
	raw := meta[MetaTrainedBy]
	if raw == "" {
		return fallback, nil
	}
	var tb struct {
		Params map[string]any `json:"params"`
	}
	if err := json.Unmarshal([]byte(raw), &tb); err != nil {
		return 0, fmt.Errorf("%w: %s metadata: %w", ErrInput, MetaTrainedBy, err)
	}
	v, ok := tb.Params["eta"]
	if !ok {
		return fallback, nil
	}
	eta, ok := v.(float64)
	if !ok || !(eta >= 0 && eta <= 1) {
		return 0, fmt.Errorf("%w: %s metadata: eta = %v, want a number in [0, 1]", ErrInput, MetaTrainedBy, v)
	}
	return eta, nil
}

// samplesPanel draws context b's samples, point predictions and true
// target over the target dimensions: as 24-hour profiles for power (thin
// lines per sample, dashed point predictions), as strips of dots per asset
// otherwise (the assets are not ordered, so no line joins them).
func samplesPanel(t *task, sp *split, draws []modelDraw, b int) (*plot.Plot, error) {
	power := t.name == TaskPower
	xl, yl := "asset d", "return y_d"
	if power {
		xl, yl = "hour of day", "load (PJM file units)"
	}
	pl := newPanel(fmt.Sprintf("%s, test context %d", t.label, b), xl, yl)
	for i, d := range draws {
		c := MethodColor(d.method)
		name := d.method
		if d.m == 1 {
			name += " (point)"
		}
		off := 0.0
		if !power {
			off = 0.6*(float64(i)+0.5)/float64(len(draws)) - 0.3
		}
		for j := 0; j < d.m; j++ {
			row := d.ys.RawRowView(b*d.m + j)
			label := ""
			if j == 0 {
				label = name
			}
			var err error
			switch {
			case !power:
				err = addDots(pl, shifted(dimsAxis(len(row)), off), row, c, d.m == 1, label)
			case d.m == 1:
				err = addLine(pl, dimsAxis(len(row)), row, c, vg.Points(2), true, label)
			default:
				err = addLine(pl, dimsAxis(len(row)), row, withAlpha(c, 0.3), vg.Points(0.7), false, label)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	truth := sp.y.RawRowView(b)
	var err error
	if power {
		err = addLine(pl, dimsAxis(len(truth)), truth, MethodColor("truth"), vg.Points(2.2), false, "true target")
	} else {
		err = addDots(pl, dimsAxis(len(truth)), truth, MethodColor("truth"), true, "true target")
	}
	if err != nil {
		return nil, err
	}
	roomForLegend(pl, len(draws)+1)
	return pl, nil
}

// addDots marks (xs, ys) in colour c: small translucent dots for samples,
// large crosses when big (point predictions, true targets).
func addDots(pl *plot.Plot, xs, ys []float64, c color.RGBA, big bool, name string) error {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("figure dots %q: %w", name, err)
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(c, 0.5), Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
	if big {
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
	}
	pl.Add(sc)
	if name != "" {
		pl.Legend.Add(name, sc)
	}
	return nil
}

// shifted returns xs + off.
func shifted(xs []float64, off float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x + off
	}
	return out
}

// decisionPanel draws each model's decision at context b as grouped bars.
func decisionPanel(t *task, draws []modelDraw, b int) (*plot.Plot, error) {
	xl, yl := "asset d", "allocation z_d (budget units)"
	if t.name == TaskPower {
		xl, yl = "hour of day", "scheduled energy z_h (load units)"
	}
	pl := newPanel("decisions", xl, yl)
	n := len(draws[0].z[b])
	if t.name == TaskPower {
		n = min(n, 24)
	}
	width := vg.Length(0.7 * float64(panelW) / float64(n*len(draws)+2))
	for i, d := range draws {
		z := d.z[b]
		if len(z) > n {
			z = z[:n] // the schedule; further coordinates are the program's slacks
		}
		bars, err := plotter.NewBarChart(plotter.Values(z), width)
		if err != nil {
			return nil, fmt.Errorf("figure decisions %s: %w", d.method, err)
		}
		bars.Color, bars.LineStyle.Width = MethodColor(d.method), 0
		bars.Offset = width * vg.Length(float64(i)-float64(len(draws)-1)/2)
		pl.Add(bars)
		pl.Legend.Add(d.method, bars)
	}
	roomForLegend(pl, len(draws))
	return pl, nil
}

// dimsAxis returns 0, 1, …, n−1.
func dimsAxis(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return xs
}

// transpose reorders a list of n pairs (a_i, b_i) into the row-major grid
// whose first row holds the a's and second row the b's.
func transpose(panels []*plot.Plot, n, k int) []*plot.Plot {
	out := make([]*plot.Plot, len(panels))
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			out[j*n+i] = panels[i*k+j]
		}
	}
	return out
}

// methodList joins the methods of draws, for logs.
func methodList(draws []modelDraw) string {
	var s []string
	for _, d := range draws {
		s = append(s, d.method)
	}
	return strings.Join(s, ", ")
}
