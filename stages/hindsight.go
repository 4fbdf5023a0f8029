package stages

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// Hindsight methods (param "method" of the hindsight kind).
const (
	MethodOracle      = "oracle"
	MethodEqualWeight = "equal-weight"
)

var hindsightKind = pipeline.Kind{
	Name: "hindsight",
	Doc: "Reference rows computed from the true targets, in the metrics schema: \"oracle\" is the best decision " +
		"in hindsight, solved per example with the true y as the single sample (synthetic: bang-bang " +
		"allocation; power: the true load, ramp-projected; portfolio: everything on the best asset, so its " +
		"return is the mean of max_i y), and \"equal-weight\" (portfolio only) the portfolio z = 1/n.",
	Params: []pipeline.ParamSpec{
		enumParam("method", MethodOracle, "which reference: oracle, or equal-weight (portfolio only)", MethodOracle, MethodEqualWeight),
		seedParam("the run's seed, copied into the metadata"),
		{Name: "splits", Type: pipeline.Strings, Default: []any{"hold", "test"}, Doc: "splits to report, one metrics row each"},
	},
	Inputs: []pipeline.PortSpec{{Name: "data", Doc: "a dataset artifact"}},
	Outputs: []pipeline.PortSpec{
		{Name: "metrics", Doc: "one row per split in the evaluate kind's schema (rmse NaN, m = 1, one draw, zero Monte-Carlo error)"},
		{Name: "units", Doc: "one row per split and unit in the evaluate kind's schema"},
	},
	Run: runHindsight,
}

// runHindsight is the Run function of the hindsight kind.
func runHindsight(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	method := p.String("method")
	if method == MethodEqualWeight && t.name != TaskPortfolio {
		return nil, fmt.Errorf("%w: method equal-weight is a portfolio reference, the data is %s", ErrParam, t.name)
	}
	var rows []splitMetrics
	for i, name := range p.Strings("splits") {
		s, err := datasets.ParseSplit(name)
		if err != nil {
			return nil, fmt.Errorf("%w: splits[%d]: %w", ErrParam, i, err)
		}
		sp := t.split(s)
		if err := sp.needRows("hindsight"); err != nil {
			return nil, err
		}
		z, err := hindsightDecisions(ctx, t, sp.y, method)
		if err != nil {
			return nil, err
		}
		m := splitMetrics{split: name, n: sp.n(), m: 1, rmse: math.NaN(), rmseHourSum: math.NaN()}
		m.setDraws([]drawOutcome{scoreDecisions(t, sp.y, z)}, false)
		r.Logf("%s %s: task loss %.6g, return %.4g%% (n %d)", method, name, m.taskLoss, m.returnPct, m.n)
		rows = append(rows, m)
	}
	return metricsOutputs(rows, map[string]string{MetaTask: t.name, MetaDataset: t.label,
		MetaMethod: method, MetaSeed: fmt.Sprint(p.Int("seed"))})
}

// hindsightDecisions returns the reference decision of every row of y.
func hindsightDecisions(ctx context.Context, t *task, y *mat.Dense, method string) ([][]float64, error) {
	rows, n := y.Dims()
	if method == MethodEqualWeight {
		z := make([]float64, n)
		for i := range z {
			z[i] = 1 / float64(n)
		}
		return [][]float64{z}, nil
	}
	ys := make([]*mat.Dense, rows)
	for i := range ys {
		ys[i] = y.Slice(i, i+1, 0, n).(*mat.Dense)
	}
	sols, err := solver.SolveBatch(ctx, t.prob, ys, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: hindsight decisions: %w", ErrNumeric, err)
	}
	z := make([][]float64, rows)
	for i, s := range sols {
		z[i] = s.Z
	}
	return z, nil
}
