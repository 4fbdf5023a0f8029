package stages

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// legacyDropParam is the option that reproduces the reference baselines'
// lost MSE term.
func legacyDropParam() pipeline.ParamSpec {
	return boolParam("legacy_drop_mse", false, "apply only the rescaled decision gradient, as the reference whose backward drops the MSE term (synthetic.md §8.6, portfolio.md §5.5–6)")
}

var dflGaussianKind = pipeline.Kind{
	Name: "dfl-gaussian",
	Doc: "Decision-focused training of the pretrained Gaussian baseline: M samples y = μ + σε per context, " +
		"the stochastic program per context, and the task loss back-propagated by the score function " +
		"(w_j·∇log N(y_j; μ, σ²)) or by reparameterization through μ and σ. The decision gradient is mixed " +
		"(mix α = 0.9 as the reference) with the gradient of the MSE of the predicted mean μ(x) — applied, " +
		"unlike the reference, which drops it (legacy_drop_mse reproduces that; legacy_sf the reference's " +
		"clamped log-density and 1/M² scale). Hold selection as dfl-diffusion.",
	Params: specs([]pipeline.ParamSpec{
		enumParam("estimator", EstimatorSF, "sf = score function, rp = reparameterization", EstimatorSF, EstimatorRP),
		intParam("samples", 16, "M, samples per context in training and in the hold evaluation"),
		boolParam("legacy_sf", false, "score function as the reference: log-density without 2π, clamped at 0, scaled 1/M²"),
		legacyDropParam(),
	}, decisionParams(), trainParams(20, 32, 1e-5, 0.9, "den")),
	Inputs: []pipeline.PortSpec{
		{Name: "data", Doc: "a dataset artifact"},
		{Name: "model", Doc: "a pretrained Gaussian model (pretrain-gaussian) of that dataset"},
	},
	Outputs: dflOutputs,
	Run:     runDFLGaussian,
}

var dflMLPKind = pipeline.Kind{
	Name: "dfl-mlp",
	Doc: "Deterministic DFL: the pretrained point predictor ŷ(x) feeds the stochastic program with M = 1 " +
		"(z* = argmin_z f(ŷ, z)), and the task loss is back-propagated through the KKT derivative dL/dŷ. " +
		"Mixed (α = 0.9) with the gradient of the MSE, hold selection as dfl-diffusion. At bang-bang or vertex " +
		"optima the exact derivative is zero (synthetic.md §8.7); the portfolio's default smoothing applies.",
	Params:  specs([]pipeline.ParamSpec{legacyDropParam()}, decisionParams(), trainParams(20, 32, 1e-5, 0.9, "den")),
	Inputs:  []pipeline.PortSpec{{Name: "data", Doc: "a dataset artifact"}, {Name: "model", Doc: "a pretrained point model (pretrain-mlp) of that dataset"}},
	Outputs: dflOutputs,
	Run:     runDFLMLP,
}

// gaussianLearner trains a Gaussian predictor by DFL.
type gaussianLearner struct {
	t         *task
	g         *model.Gaussian
	rule      *decisionRule
	m         int
	estimator string
	legacySF  bool
}

// runDFLGaussian is the Run function of the dfl-gaussian kind.
func runDFLGaussian(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, pred, cfg, rule, err := dflSetup(in, p, model.ArchGaussian)
	if err != nil {
		return nil, err
	}
	if err := positive(p, "samples"); err != nil {
		return nil, err
	}
	l := &gaussianLearner{t: t, g: pred.gauss, rule: rule, m: p.Int("samples"), estimator: p.String("estimator"), legacySF: p.Bool("legacy_sf")}
	if cfg.legacyDrop && l.estimator == EstimatorSF {
		cfg.legacyRegNorm = 1e-6 // the reference's MSE gradient is identically 0 there: ‖·‖ = √1e-12
	}
	method := methodLabel(p, "gaussian-"+l.estimator)
	train, hold := t.split(datasets.Train), t.split(datasets.Hold)
	r.Logf("dfl-gaussian %s on %s: estimator %s, M %d, decision %s, %d train contexts, %s", method, t.label, l.estimator, l.m, p.String("decision"), train.n(), blasBackend())
	res, err := trainDFL(ctx, l, train, hold, cfg, r)
	if err != nil {
		return nil, err
	}
	return dflResult(t, p, "dfl-gaussian", method, res, estimatorMeta{estimator: l.estimator}, func(meta map[string]string) (pipeline.Outputs, error) {
		return modelOutputs(l.g, meta, nil)
	})
}

// dflSetup reads the inputs and shared params of a baseline DFL kind whose
// input model must have architecture arch.
func dflSetup(in pipeline.Inputs, p pipeline.Params, arch string) (*task, *predictor, loopConfig, *decisionRule, error) {
	t, pred, err := loadTaskModel(in)
	if err != nil {
		return nil, nil, loopConfig{}, nil, err
	}
	if pred.arch != arch {
		return nil, nil, loopConfig{}, nil, fmt.Errorf("%w: the input model is %q, want %q", ErrInput, pred.arch, arch)
	}
	cfg, err := loadConfig(p)
	if err != nil {
		return nil, nil, loopConfig{}, nil, err
	}
	cfg.legacyDrop = p.Bool("legacy_drop_mse")
	rule, err := newDecisionRule(t, p.String("decision"), p.String("gradients"), p.Float("smooth"))
	return t, pred, cfg, rule, err
}

func (l *gaussianLearner) retried() int { return l.rule.retried }

func (l *gaussianLearner) params() []*nn.Param { return l.g.Params() }

// decisionGrad samples, solves and adds the decision gradient.
func (l *gaussianLearner) decisionGrad(ctx context.Context, b *split, rng *rand.Rand) (float64, int64, error) {
	var y *nn.Matrix
	var draw *model.GaussianDraw
	if l.estimator == EstimatorRP {
		draw = l.g.SampleReparam(b.x, l.m, rng)
		y = draw.Samples()
	} else {
		y = l.g.Sample(b.x, l.m, rng)
	}
	dec, err := l.rule.solve(ctx, toDense(y), b.n(), l.m)
	if err != nil {
		return 0, 0, err
	}
	loss := mean(l.t.costs(b.y, dec.z()))
	want := solver.WantWeights
	if draw != nil {
		want = solver.WantDY
	}
	sens, err := dec.differentiate(ctx, dec.upstream(b.y), want)
	if err != nil {
		return 0, 0, err
	}
	if draw != nil {
		return loss, -1, draw.Backward(toNN(sens.dy))
	}
	_, err = l.g.ScoreFunction(b.x, y, sens.weights, model.GaussianSF{Scale: sens.scale, Legacy: l.legacySF})
	return loss, -1, err
}

// regGrad adds the gradient of mean (μ(x) − y)² and returns it.
func (l *gaussianLearner) regGrad(b *split, _ *rand.Rand) float64 {
	tape := &nn.Tape{}
	mu, lv := l.g.Forward(b.x, tape)
	dMu, dLv := nn.NewMatrix(mu.Rows, mu.Cols), nn.NewMatrix(lv.Rows, lv.Cols)
	n := float64(len(mu.Data))
	var sum float64
	for i, v := range mu.Data {
		e := float64(v) - float64(b.yf.Data[i])
		sum += e * e
		dMu.Data[i] = float32(2 * e / n)
	}
	l.g.Backward(tape, dMu, dLv)
	return sum / n
}

func (l *gaussianLearner) holdLoss(ctx context.Context, s *split, rng *rand.Rand) (float64, error) {
	m, err := evaluateSplit(ctx, l.t, &predictor{gauss: l.g}, s, evalConfig{m: l.m, rule: l.rule}, rng)
	return m.taskLoss, err
}

// pointLearner trains a point predictor through the M = 1 program.
type pointLearner struct {
	t    *task
	pt   *model.Point
	rule *decisionRule
}

// runDFLMLP is the Run function of the dfl-mlp kind.
func runDFLMLP(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, pred, cfg, rule, err := dflSetup(in, p, model.ArchPoint)
	if err != nil {
		return nil, err
	}
	l := &pointLearner{t: t, pt: pred.point, rule: rule}
	method := methodLabel(p, "deterministic")
	train, hold := t.split(datasets.Train), t.split(datasets.Hold)
	r.Logf("dfl-mlp %s on %s: decision %s, %d train contexts, %s", method, t.label, p.String("decision"), train.n(), blasBackend())
	res, err := trainDFL(ctx, l, train, hold, cfg, r)
	if err != nil {
		return nil, err
	}
	return dflResult(t, p, "dfl-mlp", method, res, estimatorMeta{estimator: "point"}, func(meta map[string]string) (pipeline.Outputs, error) {
		return modelOutputs(l.pt, meta, nil)
	})
}

func (l *pointLearner) retried() int { return l.rule.retried }

func (l *pointLearner) params() []*nn.Param { return l.pt.Params() }

// decisionGrad solves the M = 1 program of each prediction and
// back-propagates dL/dŷ.
func (l *pointLearner) decisionGrad(ctx context.Context, b *split, _ *rand.Rand) (float64, int64, error) {
	tape := &nn.Tape{}
	yhat := l.pt.Forward(b.x, tape)
	dec, err := l.rule.solve(ctx, toDense(yhat), b.n(), 1)
	if err != nil {
		return 0, 0, err
	}
	loss := mean(l.t.costs(b.y, dec.z()))
	sens, err := dec.differentiate(ctx, dec.upstream(b.y), solver.WantDY)
	if err != nil {
		return 0, 0, err
	}
	l.pt.Backward(tape, toNN(sens.dy))
	return loss, -1, nil
}

func (l *pointLearner) regGrad(b *split, _ *rand.Rand) float64 { return l.pt.MSE(b.x, b.yf, 1) }

func (l *pointLearner) holdLoss(ctx context.Context, s *split, rng *rand.Rand) (float64, error) {
	m, err := evaluateSplit(ctx, l.t, &predictor{point: l.pt}, s, evalConfig{m: 1, rule: l.rule}, rng)
	return m.taskLoss, err
}
