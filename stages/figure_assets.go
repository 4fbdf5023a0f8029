package stages

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/diffusion-dfl/pipe/artifacts"
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
			"label does not). Output: a PNG figure table (export it with format blob).",
		Inputs:  []pipeline.PortSpec{{Name: "metrics", Many: true, Doc: "fan-in of portfolio evaluate metrics, stage names with -n<assets>-"}},
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
		method, _ := artifacts.Meta(recs[stage], MetaMethod)
		splits, err := artifacts.Strings(recs[stage], "split")
		if err != nil {
			return nil, fmt.Errorf("%w: figure-assets: stage %s: %w", ErrInput, stage, err)
		}
		ret, err := artifacts.Float64s(recs[stage], "return_pct")
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
		if err := addLine(pl, xs, ys, MethodColor(method), vg.Points(2), false, method); err != nil {
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
	rec, err := figureRecord(png, "Portfolio: test return (mean over seeds) against the number of assets.")
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
