package stages

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// assetsInName finds the number of assets in a stage name (…-n25-…).
var assetsInName = regexp.MustCompile(`-n(\d+)(-|$)`)

// figureAssetsKind draws the portfolio return against the number of assets
// (figure 5).
func figureAssetsKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "figure-assets",
		Doc: "Figure 5: the portfolio's test return (% a day, mean ± std over seeds) against the number of assets n, " +
			"one line per method, from evaluation metrics whose stage names carry n as -n<number>- (the data kind's " +
			"label does not), and from hindsight metrics (equal weights) named the same way. The caption is the title " +
			"param (say there what sizes the sweep used) and the number of seeds. Output: a PNG figure table (export it " +
			"with format blob).",
		Params: []pipeline.ParamSpec{
			{Name: "title", Type: pipeline.String, Default: "Portfolio: test return against the number of assets n.", Doc: "caption of the figure, before the seed count"},
		},
		Inputs:  []pipeline.PortSpec{{Name: "metrics", Many: true, Doc: "fan-in of portfolio evaluate and hindsight metrics, stage names with -n<assets>-"}},
		Outputs: []pipeline.PortSpec{{Name: "png", Doc: "the figure: one-row table, binary column png, caption metadata"}},
		Run:     runFigureAssets,
	}
}

// runFigureAssets is the Run function of the figure-assets kind.
func runFigureAssets(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	names, recs := fanInRecords(in.Tables, "metrics")
	// method → n → test returns over seeds
	byMethod := map[string]map[int][]float64{}
	for _, stage := range names {
		m := assetsInName.FindStringSubmatch(stage)
		if m == nil {
			return nil, fmt.Errorf("%w: figure-assets: stage %s has no -n<assets>- in its name", ErrInput, stage)
		}
		n, _ := strconv.Atoi(m[1])
		method, _ := arrowtab.Meta(recs[stage], MetaMethod)
		splits, err := arrowtab.Strings(recs[stage], "split")
		if err != nil {
			return nil, fmt.Errorf("%w: figure-assets: stage %s: %w", ErrInput, stage, err)
		}
		ret, err := arrowtab.Float64s(recs[stage], "return_pct")
		if err != nil {
			return nil, fmt.Errorf("%w: figure-assets: stage %s: %w", ErrInput, stage, err)
		}
		for i, s := range splits {
			if s == "test" {
				if byMethod[method] == nil {
					byMethod[method] = map[int][]float64{}
				}
				byMethod[method][n] = append(byMethod[method][n], ret[i])
			}
		}
	}
	if len(byMethod) == 0 {
		return nil, fmt.Errorf("%w: figure-assets: no test rows among %d metrics", ErrInput, len(names))
	}
	pl := newPanel("portfolio: test return against the number of assets", "number of assets n", "test return (% per day)")
	for _, method := range slices.Sorted(maps.Keys(byMethod)) {
		var ns []int
		for n := range byMethod[method] {
			ns = append(ns, n)
		}
		sort.Ints(ns)
		xs, ys := make([]float64, len(ns)), make([]float64, len(ns))
		for i, n := range ns {
			xs[i], ys[i] = float64(n), mean(byMethod[method][n])
		}
		// Baselines dashed, so that a DFL run that kept its pretrained model
		// (the same points as two-stage diffusion) still shows under them.
		baseline := strings.HasPrefix(method, "two-stage-") || method == "equal-weight"
		if err := addLine(pl, xs, ys, MethodColor(method), vg.Points(2), baseline, method); err != nil {
			return nil, err
		}
		if err := addPoints(pl, xs, ys, MethodColor(method)); err != nil {
			return nil, err
		}
	}
	roomForLegend(pl, len(byMethod))
	var ticks []plot.Tick
	for _, n := range allNs(byMethod) {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
	}
	pl.X.Tick.Marker = plot.ConstantTicks(ticks)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	png, err := renderPanels([]*plot.Plot{pl}, 1, 1)
	if err != nil {
		return nil, err
	}
	r.Logf("figure-assets: %d methods over %d evaluations", len(byMethod), len(names))
	rec, err := figureRecord(png, fmt.Sprintf("%s Each point: the mean over %s.", p.String("title"), seedCount(byMethod)))
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"png": rec}, nil
}

// allNs returns every number of assets of any method, sorted.
func allNs(byMethod map[string]map[int][]float64) []int {
	seen := map[int]bool{}
	var ns []int
	for _, m := range byMethod {
		for n := range m {
			if !seen[n] {
				seen[n] = true
				ns = append(ns, n)
			}
		}
	}
	sort.Ints(ns)
	return ns
}

// seedCount says how many seeds the points average ("1 seed", "3 seeds",
// or a range when n or methods differ).
func seedCount(byMethod map[string]map[int][]float64) string {
	lo, hi := -1, 0
	for _, m := range byMethod {
		for _, v := range m {
			if lo < 0 || len(v) < lo {
				lo = len(v)
			}
			hi = max(hi, len(v))
		}
	}
	switch {
	case lo == hi && hi == 1:
		return "1 seed"
	case lo == hi:
		return fmt.Sprintf("%d seeds", hi)
	}
	return fmt.Sprintf("%d to %d seeds", lo, hi)
}
