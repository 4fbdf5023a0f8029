package stages

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// Reference-row methods of the reference kind: what the synthetic task's
// numbers mean when the data-generating distribution is known.
const (
	// MethodPopulationOptimum decides z*(x) = argmin_z E[exp(−yᵀz) | x]
	// under the true distribution: for the reference's y ⟂ x, z ≈ 0.5452 on
	// every coordinate (ln 3 / 2 ≈ 0.549 if the mixture had no Gaussian
	// noise), expected loss 0.4006.
	MethodPopulationOptimum = "population-optimum"
	// MethodTrueSAA decides by the evaluation's rule (per context or
	// pooled) from M samples of the true distribution: what a perfect
	// generative model achieves with the evaluation's M.
	MethodTrueSAA = "true-saa"
)

// streamTruth is the random stream of the true-distribution samples.
const streamTruth uint64 = 7

var referenceKind = pipeline.Kind{
	Name: "reference",
	Doc: "Reference rows of the synthetic task from its true distribution y | x (data-synthetic's generator, read " +
		"from the data's metadata), in the evaluate kind's schema. population-optimum: the decision minimizing the " +
		"true expected cost per context, coordinate by coordinate (the box is separable and y's coordinates are " +
		"independent given x); with y ⟂ x it is z ≈ 0.5452 everywhere (ln 3 / 2 without the noise term), expected cost 0.4006. true-saa: M samples " +
		"per context drawn from the truth, R draws, decided by the evaluation's rule (per_x or pooled): the loss " +
		"a perfect generative model gets at that M, to read the learned models' rows against.",
	Params: []pipeline.ParamSpec{
		enumParam("method", MethodTrueSAA, "which reference row: population-optimum or true-saa", MethodPopulationOptimum, MethodTrueSAA),
		seedParam("seed of the true-distribution samples, copied into the metadata"),
		intParam("samples", 16, "M, samples per context (true-saa; pass the evaluation's M)"),
		intParam("draws", 1, "R, independent draws of the M samples (true-saa)"),
		enumParam("decision", DecisionPerX, "per_x, or pooled: one program over all samples of the split (reports under <label>-pooled)", DecisionPerX, DecisionPooled),
		{Name: "splits", Type: pipeline.Strings, Default: []any{"hold", "test"}, Doc: "splits to report, one metrics row each"},
	},
	Inputs: []pipeline.PortSpec{{Name: "data", Doc: "a data-synthetic artifact (generated or the reference draw)"}},
	Outputs: []pipeline.PortSpec{
		{Name: "metrics", Doc: "one row per split in the evaluate kind's schema (rmse: of the true samples; population-optimum: m = 1)"},
		{Name: "units", Doc: "one row per split and context in the evaluate kind's schema"},
	},
	Run: runReference,
}

// runReference is the Run function of the reference kind.
func runReference(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	truth, box, err := syntheticTruth(t)
	if err != nil {
		return nil, err
	}
	if err := positive(p, "samples", "draws"); err != nil {
		return nil, err
	}
	rule, err := newDecisionRule(t, p.String("decision"), GradientsExact, 0)
	if err != nil {
		return nil, err
	}
	method := p.String("method")
	if method == MethodPopulationOptimum && rule.pooled && truth.Contextual() {
		return nil, fmt.Errorf("%w: a pooled population optimum needs y ⟂ x (context = 0): each context has its own optimum", ErrParam)
	}
	var rows []splitMetrics
	for i, name := range p.Strings("splits") {
		s, err := datasets.ParseSplit(name)
		if err != nil {
			return nil, fmt.Errorf("%w: splits[%d]: %w", ErrParam, i, err)
		}
		sp := t.split(s)
		if err := sp.needRows("reference"); err != nil {
			return nil, err
		}
		x := t.dataset.Subset(s).X // float64 features: the truth's probabilities need no rounding
		m := splitMetrics{split: name, n: sp.n(), rmse: math.NaN(), rmseHourSum: math.NaN()}
		if method == MethodPopulationOptimum {
			z, expected := populationOptimum(truth, box, x, rule.pooled)
			m.m = 1
			m.setDraws([]drawOutcome{scoreDecisions(t, sp.y, z)}, false)
			r.Logf("%s %s: task loss %.6g, expected %.6g (n %d)", method, name, m.taskLoss, expected, m.n)
		} else {
			rng := newRNG(p.Int("seed"), streamTruth+uint64(10*(int(s)+1)))
			if err := trueSAA(ctx, t, truth, rule, sp, x, p.Int("samples"), p.Int("draws"), rng, &m); err != nil {
				return nil, fmt.Errorf("reference %s split: %w", name, err)
			}
			r.Logf("%s %s: task loss %.6g ± %.3g (Monte-Carlo), rmse %.5g (n %d, M %d, R %d)", method, name, m.taskLoss, m.taskLossSE, m.rmse, m.n, m.m, m.draws)
		}
		rows = append(rows, m)
	}
	return metricsOutputs(rows, map[string]string{MetaTask: t.name, MetaDataset: resultLabel(t, p),
		MetaMethod: method, MetaSeed: fmt.Sprint(p.Int("seed"))})
}

// syntheticTruth returns the true distribution of a synthetic dataset and
// the upper bound C of its allocation box.
func syntheticTruth(t *task) (*datasets.SyntheticTruth, float64, error) {
	a, ok := t.prob.(solver.Allocation)
	if t.name != TaskSynthetic || !ok {
		return nil, 0, fmt.Errorf("%w: the reference kind needs synthetic data (the true distribution is known only there), got %s", ErrInput, t.name)
	}
	dx, dy := t.dims()
	opts, err := datasets.SyntheticOptionsFromMeta(t.dataset.Meta, dx, dy)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrInput, err)
	}
	truth, err := datasets.NewSyntheticTruth(opts)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return truth, a.C, nil
}

// populationOptimum returns the decision minimizing the true expected cost
// of every context (rows of x) on the box [0, C]ⁿ, and the mean over
// contexts of its expected cost Π_d E[exp(−y_d z_d) | x]. Given x the
// coordinates are independent and the box is a product, so the expectation
// is a product of positive convex factors minimized one by one. pooled asks
// for one decision for the split: the optimum of the first context, valid
// because runReference allows it only for y ⟂ x, where every context has
// the same optimum.
func populationOptimum(truth *datasets.SyntheticTruth, c float64, x *mat.Dense, pooled bool) ([][]float64, float64) {
	rows, _ := x.Dims()
	_, q := truth.Dims()
	z := make([][]float64, rows)
	prob := make([]float64, q)
	var expected float64
	for i := range z {
		truth.PositiveProb(prob, x.RawRowView(i))
		z[i] = make([]float64, q)
		e := 1.0
		for d, pd := range prob {
			f := func(v float64) float64 { return truth.ExpectedExpFactor(pd, v) }
			z[i][d] = minimizeConvex(f, 0, c)
			e *= f(z[i][d])
		}
		expected += e / float64(rows)
	}
	if pooled {
		return z[:1], expected
	}
	return z, expected
}

// minimizeConvex returns the minimizer of a convex f on [lo, hi] by golden
// section search to an interval of 1e-10.
func minimizeConvex(f func(float64) float64, lo, hi float64) float64 {
	const inv = 0.6180339887498949 // (√5 − 1)/2
	a, b := lo, hi
	c, d := b-inv*(b-a), a+inv*(b-a)
	fc, fd := f(c), f(d)
	for b-a > 1e-10 {
		if fc <= fd {
			b, d, fd = d, c, fc
			c = b - inv*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + inv*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}

// trueSAA fills m with the true-saa figures of one split: R draws of M
// samples per context from the truth, each decided by rule and scored at
// the true y; x are the split's features in float64.
func trueSAA(ctx context.Context, t *task, truth *datasets.SyntheticTruth, rule *decisionRule, sp *split, x *mat.Dense, M, R int, rng *rand.Rand, m *splitMetrics) error {
	n := sp.n()
	_, q := t.dims()
	all := mat.NewDense(n*R*M, q, nil)
	prob := make([]float64, q)
	for b := 0; b < n; b++ {
		truth.PositiveProb(prob, x.RawRowView(b))
		for j := 0; j < R*M; j++ {
			truth.Sample(all.RawRowView(b*R*M+j), prob, rng)
		}
	}
	draws := make([]drawOutcome, R)
	for d := range draws {
		dec, err := rule.solve(ctx, drawRows(all, n, R, M, d), n, M)
		if err != nil {
			return err
		}
		draws[d] = scoreDecisions(t, sp.y, dec.z())
	}
	m.m = M
	m.setDraws(draws, true)
	m.rmse, _ = sampleRMSE(all, sp.y, R*M)
	if math.IsNaN(m.taskLoss) || math.IsInf(m.taskLoss, 0) {
		return fmt.Errorf("%w: task loss %g", ErrNumeric, m.taskLoss)
	}
	return nil
}
