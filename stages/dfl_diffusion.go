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

// Estimators (param "estimator") and timestep samplers ("timesteps").
const (
	EstimatorSF          = "sf" // score function
	EstimatorRP          = "rp" // reparameterization
	TimestepsUniform     = "uniform"
	TimestepsImportance  = "importance"
	ImportancePlain      = "plain"           // importance weights 1/(T·p_t) (synthetic resample.py)
	ImportanceSelfNormal = "self_normalized" // power.md §4: normalized, clipped, adaptive u
)

// Score-function baselines (param "baseline").
const (
	BaselineNone = "none" // score-function weights as the KKT conditions give them
	BaselineMean = "mean" // weights centered per program (model.CenterWeights)
)

// denoiseDraws is the number of independent (t, ε) draws of the denoising
// regularizer per minibatch, as the reference (synthetic.md §6).
const denoiseDraws = 10

var dflDiffusionKind = pipeline.Kind{
	Name: "dfl-diffusion",
	Doc: "Decision-focused training of a pretrained diffusion model (the paper's method). Per minibatch of " +
		"contexts: draw M DDIM samples per context, solve the stochastic program per context (or pooled), and " +
		"back-propagate the task loss at the true y either by the score-function estimator (weights " +
		"w_j = −[dL/dz;0]ᵀK⁻¹[∇_z f(y_j,z*);0] times the ELBO at K timesteps per sample, uniform or importance-" +
		"sampled; memory independent of S) or by reparameterization through all S sampling steps (optionally " +
		"checkpointed). The decision gradient is mixed with the gradient of the denoising loss on the true " +
		"pairs (10 draws) by the reference's gradient-norm balancing. After each epoch the task loss on the " +
		"HOLD split (samples drawn by the current model, the same random draws every epoch, the evaluation's M " +
		"and decision rule) selects the best epoch; the initial model is epoch 0. Test rows are never used. " +
		"The ELBO bounds the density of the ancestral sampler, which η = 1 samples follow: on power the score " +
		"function's gradient has cosine 0.88 with reparameterization's on η = 1 samples and 0.52 on η = 0 ones " +
		"(gradient-diagnostic), and eta = 1 for training and deciding is what narrowed the gap there (README, " +
		"\"The score-function gap\").",
	Params: specs([]pipeline.ParamSpec{
		enumParam("estimator", EstimatorSF, "sf = score function, rp = reparameterization through the sampling chain", EstimatorSF, EstimatorRP),
		enumParam("timesteps", TimestepsUniform, "score function: ELBO timesteps drawn uniformly, or by the loss-second-moment importance sampler", TimestepsUniform, TimestepsImportance),
		intParam("K", 10, "score function: ELBO timesteps per sample (reference: synthetic 1000, power 100 uniform / 10 importance, portfolio all 1000)"),
		enumParam("importance_variant", ImportancePlain, "importance sampling: plain weights 1/(T·p_t) (synthetic reference) or self-normalized, 0.95-quantile-clipped weights with adaptive uniform mixing (power reference)", ImportancePlain, ImportanceSelfNormal),
		intParam("steps", 20, "DDIM sampling steps S (reference: all T = 1000)"),
		floatParam("eta", 0, "DDIM η (0 = deterministic as power and portfolio; synthetic reference 0.8)"),
		floatParam("train_eta", -1, "DDIM η of the samples of the training steps (−1 = eta); the hold selection and decisions keep eta. The score function scores samples by the ELBO of the ancestral model, which η = 1 samples follow and η = 0 samples do not: on power, cos(SF, RP) is 0.52–0.58 with η = 0 samples and 0.88 with η = 1 (README, \"The score-function gap\")"),
		intParam("samples", 16, "M, samples per context in training and in the hold evaluation (reference 25–30, portfolio 10)"),
		intParam("checkpoint", 0, "reparameterization: sampling steps per checkpoint segment (0 = keep every step's activations)"),
		boolParam("shared_noise", true, "score function: the M samples of a context share their ELBO timesteps and noise (common random numbers: unbiased, lower variance; reference: independent draws = false)"),
		enumParam("baseline", BaselineNone, "score function: none = the KKT weights w_j as they are (reference); mean = w_j minus their mean over the program's samples, a control variate that removes the term w̄·Σ_j ∇ELBO_j, whose expectation is zero for the true score but not for the ELBO (README, \"The score-function gap\")", BaselineNone, BaselineMean),
	}, decisionParams(), trainParams(10, 32, 1e-5, 0.2, "den")),
	Inputs: []pipeline.PortSpec{
		{Name: "data", Doc: "a dataset artifact"},
		{Name: "model", Doc: "a pretrained diffusion model (pretrain-diffusion) of that dataset"},
	},
	Outputs: dflOutputs,
	Run:     runDFLDiffusion,
}

var dflOutputs = []pipeline.PortSpec{
	{Name: "model", Doc: "the model of the selected epoch, with its provenance and method label"},
	{Name: "curve", Doc: "per epoch (0 = before training): train_task_loss, hold_task_loss, denoise_loss (the regularizer), seconds",
		Measures: []string{ColSeconds}},
	{Name: "stats", Doc: "sec_per_step_mean, sec_per_step_median, peak_heap_bytes, estimator_bytes, steps, best_epoch; metadata estimator, timesteps, K, steps_S",
		Measures: []string{ColSecPerStepMean, ColSecPerStepMedian, ColPeakHeapBytes}},
}

// diffusionLearner trains a diffusion model by decision-focused learning.
type diffusionLearner struct {
	t          *task
	d          *model.Diffusion
	norm       *yNorm
	rule       *decisionRule
	m          int
	sampler    model.Sampler // hold evaluation and decisions
	train      model.Sampler // the samples of the training steps (train_eta)
	estimator  string
	sf         model.ScoreFunction // K, importance sampler
	checkpoint int
	center     bool // baseline = mean
}

// runDFLDiffusion is the Run function of the dfl-diffusion kind.
func runDFLDiffusion(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, pred, err := loadTaskModel(in)
	if err != nil {
		return nil, err
	}
	if pred.diff == nil {
		return nil, fmt.Errorf("%w: dfl-diffusion needs a diffusion model, the input is %q", ErrInput, pred.arch)
	}
	l, err := newDiffusionLearner(t, pred, p)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(p)
	if err != nil {
		return nil, err
	}
	method := "diffusion-" + l.estimator
	if l.estimator == EstimatorSF && p.String("timesteps") == TimestepsImportance {
		method += "-is"
	}
	method = methodLabel(p, method)
	train, hold := t.split(datasets.Train), t.split(datasets.Hold)
	r.Logf("dfl-diffusion %s on %s: estimator %s, timesteps %s, K %d, S %d, M %d, decision %s, %d train contexts, %s",
		method, t.label, l.estimator, p.String("timesteps"), l.sf.K, p.Int("steps"), l.m, p.String("decision"), train.n(), blasBackend())
	res, err := trainDFL(ctx, l, train, hold, cfg, r)
	if err != nil {
		return nil, err
	}
	est := estimatorMeta{estimator: l.estimator, timesteps: p.String("timesteps"), k: l.sf.K, stepsS: p.Int("steps")}
	if l.estimator == EstimatorRP {
		est.timesteps, est.k = "", 0
	}
	return dflResult(t, p, "dfl-diffusion", method, res, est, func(meta map[string]string) (pipeline.Outputs, error) {
		return diffusionOutputs(l.d, l.norm, meta, nil)
	})
}

// newDiffusionLearner sets up the estimator and decision rule of p.
func newDiffusionLearner(t *task, pred *predictor, p pipeline.Params) (*diffusionLearner, error) {
	if err := positive(p, "K", "steps", "samples"); err != nil {
		return nil, err
	}
	if p.Int("checkpoint") < 0 {
		return nil, fmt.Errorf("%w: checkpoint = %d, want ≥ 0", ErrParam, p.Int("checkpoint"))
	}
	rule, err := newDecisionRule(t, p.String("decision"), p.String("gradients"), p.Float("smooth"))
	if err != nil {
		return nil, err
	}
	l := &diffusionLearner{t: t, d: pred.diff, norm: pred.norm, rule: rule, m: p.Int("samples"),
		sampler: model.Sampler{Steps: p.Int("steps"), Eta: p.Float("eta")}, estimator: p.String("estimator"),
		sf: model.ScoreFunction{K: p.Int("K"), Scale: 1}, checkpoint: p.Int("checkpoint"), center: p.String("baseline") == BaselineMean}
	l.train = l.sampler
	if eta := p.Float("train_eta"); eta != -1 {
		if !(eta >= 0 && eta <= 1) {
			return nil, fmt.Errorf("%w: train_eta = %g, want 0 ≤ η ≤ 1 or −1 (= eta)", ErrParam, eta)
		}
		l.train.Eta = eta
	}
	if p.Bool("shared_noise") {
		l.sf.Shared = l.m
	}
	if p.String("timesteps") == TimestepsImportance {
		selfNorm := p.String("importance_variant") == ImportanceSelfNormal
		u := 1e-4 // synthetic reference (resample.py); the power reference starts at 1e-3 and adapts
		if selfNorm {
			u = 1e-3
		}
		s, err := model.NewLossSecondMoment(pred.diff.Sched.T, 10, u)
		if err != nil {
			return nil, fmt.Errorf("%w: importance sampler: %w", ErrParam, err)
		}
		l.sf.Sampler, l.sf.SelfNormalize = s, selfNorm
	}
	return l, nil
}

func (l *diffusionLearner) retried() int { return l.rule.retried }

func (l *diffusionLearner) params() []*nn.Param { return l.d.Net.Params() }

// decisionGrad draws M samples per context, solves, and adds the decision
// gradient by the configured estimator.
func (l *diffusionLearner) decisionGrad(ctx context.Context, b *split, rng *rand.Rand) (float64, int64, error) {
	if l.estimator == EstimatorRP {
		return l.reparamGrad(ctx, b, rng)
	}
	u, err := l.d.Sample(ctx, b.x, l.m, l.train, rng)
	if err != nil {
		return 0, 0, err
	}
	dec, err := l.rule.solve(ctx, l.norm.toRaw(u), b.n(), l.m)
	if err != nil {
		return 0, 0, err
	}
	loss := mean(l.t.costs(b.y, dec.z()))
	sens, err := dec.differentiate(ctx, dec.upstream(b.y), solver.WantWeights)
	if err != nil {
		return 0, 0, err
	}
	// dL/dθ ≈ (1/M) Σ_j w_j ∇_θ log p_θ(y_j | x), the ELBO standing in for log p.
	cfg := l.sf
	cfg.Scale = sens.scale
	w := sens.weights
	if l.center {
		w = model.CenterWeights(w, len(w)/len(dec.ys))
	}
	res, err := l.d.ScoreFunction(ctx, u, b.x, w, cfg, rng)
	if err != nil {
		return 0, 0, err
	}
	return loss, res.TapeBytes, nil
}

// reparamGrad samples with a differentiable chain and back-propagates the
// per-sample gradients dL/dy_j through it.
func (l *diffusionLearner) reparamGrad(ctx context.Context, b *split, rng *rand.Rand) (float64, int64, error) {
	chain, err := l.d.SampleReparam(ctx, b.x, l.m, model.Reparam{Sampler: l.train, Checkpoint: l.checkpoint}, rng)
	if err != nil {
		return 0, 0, err
	}
	dec, err := l.rule.solve(ctx, l.norm.toRaw(chain.Samples()), b.n(), l.m)
	if err != nil {
		return 0, 0, err
	}
	loss := mean(l.t.costs(b.y, dec.z()))
	sens, err := dec.differentiate(ctx, dec.upstream(b.y), solver.WantDY)
	if err != nil {
		return 0, 0, err
	}
	if err := chain.Backward(ctx, l.norm.gradToModel(sens.dy)); err != nil {
		return 0, 0, err
	}
	return loss, chain.TapeBytes(), nil
}

// regGrad adds the gradient of the denoising loss on the true pairs,
// averaged over denoiseDraws independent (t, ε) draws: one call over each
// pair repeated denoiseDraws times (the same mean), with the contexts
// untiled so the network computes their part of the first layer once.
func (l *diffusionLearner) regGrad(b *split, rng *rand.Rand) float64 {
	y := model.RepeatRows(l.norm.toModel(b.yf), denoiseDraws)
	return l.d.Loss(y, b.x, 1, rng)
}

func (l *diffusionLearner) holdLoss(ctx context.Context, s *split, rng *rand.Rand) (float64, error) {
	m, err := evaluateSplit(ctx, l.t, &predictor{diff: l.d, norm: l.norm}, s, evalConfig{m: l.m, sampler: l.sampler, rule: l.rule}, rng)
	return m.taskLoss, err
}

// dflResult assembles the outputs of a DFL kind: the model (built by
// modelOut from the run's metadata), the curve and the stats.
func dflResult(t *task, p pipeline.Params, kind, method string, res *loopResult, est estimatorMeta,
	modelOut func(meta map[string]string) (pipeline.Outputs, error)) (pipeline.Outputs, error) {
	meta, err := runMeta{task: t.name, dataset: resultLabel(t, p), method: method, seed: p.Int("seed"), kind: kind, params: p}.entries()
	if err != nil {
		return nil, err
	}
	out, err := modelOut(meta)
	if err != nil {
		return nil, err
	}
	crec, err := res.curve.record(meta)
	if err != nil {
		releaseOutputs(out)
		return nil, err
	}
	out["curve"] = crec
	srec, err := newStatsRecord(res.stats, est, meta)
	if err != nil {
		releaseOutputs(out)
		return nil, err
	}
	out["stats"] = srec
	return out, nil
}
