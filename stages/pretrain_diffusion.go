package stages

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

var pretrainDiffusionKind = pipeline.Kind{
	Name: "pretrain-diffusion",
	Doc: "Pretrains the conditional diffusion model p_θ(y | x) by denoising (synthetic.md §3): the " +
		"ε-prediction network [y_t, temb(t), x] → LayerNorm → blocks × (Linear, SiLU, LayerNorm) → Linear, " +
		"a T-step noise schedule, one t ~ U{0..T−1} per row and the unweighted ε-MSE, on the train rows. " +
		"The curve logs the training loss every epoch and the hold denoising loss every few epochs (fixed " +
		"draws, so values are comparable). No model selection: the final weights are kept, as the reference. " +
		"shuffle_y permutes y within each batch (the reference's synthetic pretraining learns p(y)); " +
		"y_norm=train standardizes y inside the model with training statistics (a deviation, off by default).",
	Params: []pipeline.ParamSpec{
		intParam("hidden", 256, "width h of the denoiser's hidden layers (reference 1024)"),
		intParam("blocks", 3, "number of Linear–SiLU–LayerNorm blocks (reference 3)"),
		intParam("T", 1000, "diffusion steps of the noise schedule (reference 1000)"),
		enumParam("schedule", model.ScheduleLinear, "noise schedule: linear β from 1e-4 to 0.02 (reference) or cosine", model.ScheduleLinear, model.ScheduleCosine),
		intParam("epochs", 200, "passes over the train rows (reference: synthetic 1000, power 800, portfolio 300)"),
		intParam("batch", 512, "rows per optimizer step (reference 512)"),
		floatParam("lr", 1e-3, "learning rate (reference 1e-3)"),
		floatParam("weight_decay", 0, "AdamW's decoupled weight decay when > 0 (synthetic reference 1e-4); 0 = Adam"),
		boolParam("shuffle_y", false, "permute y within each batch relative to x: learn p(y), as the synthetic reference"),
		enumParam("y_norm", YNormNone, "none = raw y (reference); train = standardize y with training-row statistics inside the model", YNormNone, YNormTrain),
		intParam("eval_every", 0, "epochs between hold-loss evaluations (0 = about 20 over the run)"),
		seedParam("seed of the initialization, batch order and noise"),
	},
	Inputs: []pipeline.PortSpec{{Name: "data", Doc: "a dataset artifact"}},
	Outputs: []pipeline.PortSpec{
		{Name: "model", Doc: "the diffusion model (denoiser parameters, schedule, y normalization, provenance)"},
		{Name: "curve", Doc: "per epoch: train_loss, hold_loss (NaN between evaluations), seconds", Measures: []string{ColSeconds}},
	},
	Run: runPretrainDiffusion,
}

// runPretrainDiffusion is the Run function of the pretrain-diffusion kind.
func runPretrainDiffusion(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	if err := positive(p, "hidden", "blocks", "T", "epochs", "batch"); err != nil {
		return nil, err
	}
	if err := nonNegative(p, "lr", "weight_decay"); err != nil {
		return nil, err
	}
	train, hold := t.split(datasets.Train), t.split(datasets.Hold)
	if err := train.needRows("pretraining"); err != nil {
		return nil, err
	}
	sched, err := newSchedule(p.String("schedule"), p.Int("T"))
	if err != nil {
		return nil, err
	}
	dx, dy := t.dims()
	seed := p.Int("seed")
	net := nn.NewDenoiser(nn.DenoiserConfig{YDim: dy, XDim: dx, Hidden: p.Int("hidden"), Blocks: p.Int("blocks")}, newRNG(seed, streamInit))
	d := model.NewDiffusion(net, sched)
	var norm *yNorm
	if p.String("y_norm") == YNormTrain {
		norm = fitYNorm(train.y)
	}
	r.Logf("pretrain diffusion on %s: %d train rows, %d hold rows, %d parameters, %s",
		t.label, train.n(), hold.n(), nn.NumParams(net.Params()), blasBackend())
	cv, err := pretrainDenoiser(ctx, d, norm, train, hold, p, r)
	if err != nil {
		return nil, err
	}
	meta, err := runMeta{task: t.name, dataset: t.label, seed: seed, kind: "pretrain-diffusion", params: p}.entries()
	if err != nil {
		return nil, err
	}
	return diffusionOutputs(d, norm, meta, map[string]*curve{"curve": cv})
}

// pretrainDenoiser runs the epochs of denoising training and returns the
// learning curve.
func pretrainDenoiser(ctx context.Context, d *model.Diffusion, norm *yNorm, train, hold *split, p pipeline.Params, r pipeline.Reporter) (*curve, error) {
	ps := d.Net.Params()
	var opt *nn.Adam
	if wd := p.Float("weight_decay"); wd > 0 {
		opt = nn.NewAdamW(ps, p.Float("lr"), wd)
	} else {
		opt = nn.NewAdam(ps, p.Float("lr"))
	}
	ytr, yho := norm.toModel(train.yf), norm.toModel(hold.yf)
	epochs, every := p.Int("epochs"), evalEvery(p.Int("eval_every"), p.Int("epochs"))
	cfg := model.PretrainConfig{BatchSize: p.Int("batch"), ShuffleY: p.Bool("shuffle_y")}
	rng := newRNG(p.Int("seed"), streamTrain)
	cv := newCurve(ColTrainLoss, ColHoldLoss, ColSeconds)
	step := func() error { opt.Step(); return nil }
	for e := 1; e <= epochs; e++ {
		start := time.Now()
		loss, err := d.PretrainEpoch(ctx, ytr, train.x, cfg, rng, step)
		if err != nil {
			return nil, fmt.Errorf("pretraining epoch %d: %w", e, err)
		}
		holdLoss := math.NaN()
		if hold.n() > 0 && (e%every == 0 || e == epochs) {
			holdLoss = d.Loss(yho, hold.x, 0, newRNG(p.Int("seed"), streamPretrain))
			r.Logf("epoch %d/%d: train loss %.5f, hold loss %.5f (%.2fs/epoch)", e, epochs, loss, holdLoss, time.Since(start).Seconds())
		}
		cv.add(e, loss, holdLoss, time.Since(start).Seconds())
		r.Progress(int64(e), int64(epochs), "epoch")
	}
	return cv, nil
}

// evalEvery returns the evaluation interval: every epochs if set, else
// about 20 evaluations over the run.
func evalEvery(every, epochs int) int {
	if every > 0 {
		return every
	}
	return max(1, epochs/20)
}

// diffusionOutputs returns the model artifact of d (with its y
// normalization and provenance) and the given curves.
func diffusionOutputs(d *model.Diffusion, norm *yNorm, meta map[string]string, curves map[string]*curve) (pipeline.Outputs, error) {
	md := map[string]string{MetaYNorm: norm.metaValue()}
	for k, v := range meta {
		md[k] = v
	}
	return modelOutputs(d, md, curves)
}

// newSchedule builds the noise schedule of the schedule and T params.
func newSchedule(kind string, T int) (*model.Schedule, error) {
	var s *model.Schedule
	var err error
	if kind == model.ScheduleCosine {
		s, err = model.CosineSchedule(T)
	} else {
		s, err = model.LinearSchedule(T, 1e-4, 0.02)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: schedule %s with T = %d: %w", ErrParam, kind, T, err)
	}
	return s, nil
}

// releaseOutputs releases every record of out (after a failure).
func releaseOutputs(out pipeline.Outputs) {
	for _, rec := range out {
		rec.Release()
	}
}
