package stages

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/pipeline"
)

var evaluateKind = pipeline.Kind{
	Name: "evaluate",
	Doc: "Evaluates a trained model of any architecture on the hold and test splits: draws M samples per " +
		"context (a point model predicts once, M = 1; a policy outputs its decision, projected if it was " +
		"trained so), solves the stochastic program per context (or pooled), and reports per split the mean " +
		"task cost at the true y (synthetic exp(−yᵀz), power the daily cost Σ_h f_h, portfolio (α/2)(yᵀz)² − yᵀz), " +
		"the portfolio's realised return 100·mean yᵀz, and the RMSE of the samples against y over rows, samples " +
		"and dimensions (the reference's definition, which counts the sample spread as error). For power the " +
		"reference's \"RMSE\" is the sum of the 24 per-hour RMSEs: emitted as rmse_hour_sum. A policy's RMSE is " +
		"NaN (its output is a decision, not a prediction). Pass every method of a task the same M. A sampling model " +
		"is evaluated with R = draws independent sets of M samples per context (drawn in one batched call): the " +
		"task loss and return are the means over draws, with their Monte-Carlo standard error sd_r/√R; the per-unit " +
		"output holds each test unit's cost and return averaged over draws (the aggregate kind bootstraps them). " +
		"Portfolio rows also report the annualized Sharpe ratio √252·mean/sd of the daily returns yᵀz and the " +
		"effective number of assets 1/Σᵢzᵢ² averaged over days.",
	Params: []pipeline.ParamSpec{
		{Name: "method", Type: pipeline.String, Doc: "method label written into the metrics' metadata (e.g. diffusion-sf, two-stage-gaussian)"},
		seedParam("seed of the evaluation's samples"),
		intParam("samples", 32, "M, samples per context (ignored by point models and policies)"),
		intParam("draws", 5, "R, independent draws of the M samples per context; results are means over draws with their Monte-Carlo error (point models and policies: one draw)"),
		intParam("steps", 50, "DDIM sampling steps S of a diffusion model"),
		floatParam("eta", 0, "DDIM η of a diffusion model (0 deterministic; the synthetic reference uses 0.8)"),
		enumParam("decision", DecisionPerX, "per_x: one program per context; pooled: one program over all samples of the split (reference synthetic evaluation)", DecisionPerX, DecisionPooled),
		{Name: "splits", Type: pipeline.Strings, Default: []any{"hold", "test"}, Doc: "splits to report (train, hold, test), one metrics row each"},
	},
	Inputs: []pipeline.PortSpec{
		{Name: "data", Doc: "a dataset artifact (data-synthetic, data-power, data-portfolio)"},
		{Name: "model", Doc: "a model artifact of any architecture trained on that dataset"},
	},
	Outputs: []pipeline.PortSpec{
		{Name: "metrics", Doc: "one row per split: split, task_loss, task_loss_mc_se, return_pct, return_pct_mc_se, sharpe, eff_assets, rmse, rmse_hour_sum, n, m, draws; metadata task, dataset, method, seed"},
		{Name: "units", Doc: "one row per split and evaluation unit (context or day): split, unit, task_loss, return_pct, averaged over draws; same metadata"},
	},
	Run: runEvaluate,
}

// runEvaluate is the Run function of the evaluate kind.
func runEvaluate(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, pred, err := loadTaskModel(in)
	if err != nil {
		return nil, err
	}
	if err := positive(p, "samples", "steps", "draws"); err != nil {
		return nil, err
	}
	rule, err := newDecisionRule(t, p.String("decision"), GradientsExact, 0)
	if err != nil {
		return nil, err
	}
	cfg := evalConfig{m: p.Int("samples"), draws: p.Int("draws"), sampler: model.Sampler{Steps: p.Int("steps"), Eta: p.Float("eta")}, rule: rule}
	var rows []splitMetrics
	splits := p.Strings("splits")
	for i, name := range splits {
		s, err := datasets.ParseSplit(name)
		if err != nil {
			return nil, fmt.Errorf("%w: splits[%d]: %w", ErrParam, i, err)
		}
		sp := t.split(s)
		if err := sp.needRows("evaluate"); err != nil {
			return nil, err
		}
		m, err := evaluateSplit(ctx, t, pred, sp, cfg, newRNG(p.Int("seed"), streamEval+uint64(10*(int(s)+1))))
		if err != nil {
			return nil, fmt.Errorf("evaluate %s split: %w", name, err)
		}
		r.Logf("%s %s: task loss %.6g ± %.2g (MC), return %.4g%%, rmse %.5g (n %d, M %d, R %d)", p.String("method"), name,
			m.taskLoss, m.taskLossSE, m.returnPct, m.rmse, m.n, m.m, m.draws)
		r.Progress(int64(i+1), int64(len(splits)), "split")
		rows = append(rows, m)
	}
	if rule.retried > 0 {
		r.Logf("warning: %d allocation programs needed the log-domain fallback (heavy-tailed samples)", rule.retried)
	}
	modelDataset, _ := arrowtab.Meta(in.Tables["model"], MetaDataset)
	return metricsOutputs(rows, map[string]string{MetaTask: t.name, MetaDataset: resultLabel(t, p),
		MetaMethod: p.String("method"), MetaSeed: fmt.Sprint(p.Int("seed")), MetaModelDataset: modelDataset})
}

// sampleRMSE returns sqrt(mean over rows, samples and dims of (ŷ − y)²) and
// Σ_d sqrt(mean over rows and samples of (ŷ_d − y_d)²) for m samples per
// row of y (spec synthetic.md §7, power.md §6).
func sampleRMSE(ys, y *mat.Dense, m int) (rmse, dimSum float64) {
	rows, n := y.Dims()
	perDim := make([]float64, n)
	for i := 0; i < rows*m; i++ {
		yt, yh := y.RawRowView(i/m), ys.RawRowView(i)
		for d, v := range yh {
			e := v - yt[d]
			perDim[d] += e * e
		}
	}
	var total float64
	for _, s := range perDim {
		total += s
		dimSum += math.Sqrt(s / float64(rows*m))
	}
	return math.Sqrt(total / float64(rows*m*n)), dimSum
}
