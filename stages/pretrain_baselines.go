package stages

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// baselineParams are the params of the Gaussian and point pretraining kinds.
func baselineParams(epochs int, lr float64) []pipeline.ParamSpec {
	return []pipeline.ParamSpec{
		intParam("hidden", 256, "width of the hidden layers (reference 1024)"),
		intParam("layers", 2, "number of hidden ReLU layers (reference: Gaussian 2, MLP 3 on power)"),
		intParam("epochs", epochs, "passes over the train rows; with batch 0 one full-batch step each (reference: 1000 full-batch steps synthetic and power, 100 epochs of 512 portfolio)"),
		intParam("batch", 0, "rows per optimizer step (0 = full batch, as the synthetic and power reference)"),
		floatParam("lr", lr, "Adam learning rate (reference: synthetic 1e-4, power and portfolio 1e-3)"),
		intParam("eval_every", 0, "epochs between hold-loss evaluations (0 = about 20 over the run)"),
		seedParam("seed of the initialization and batch order"),
	}
}

var baselineOutputs = []pipeline.PortSpec{
	{Name: "model", Doc: "the trained predictor with its provenance"},
	{Name: "curve", Doc: "per epoch: train_loss, hold_loss (NaN between evaluations), seconds", Measures: []string{ColSeconds}},
}

var pretrainGaussianKind = pipeline.Kind{
	Name: "pretrain-gaussian",
	Doc: "Fits the Gaussian baseline p_θ(y | x) = N(μ(x), diag σ²(x)) — a ReLU trunk with μ and log σ² heads — " +
		"by PyTorch's GaussianNLLLoss(full) on the train rows (synthetic.md §6, power.md §5, portfolio.md §3.5). " +
		"It is the two-stage Gaussian model and the start of Gaussian DFL.",
	Params:  baselineParams(1000, 1e-3),
	Inputs:  []pipeline.PortSpec{{Name: "data", Doc: "a dataset artifact"}},
	Outputs: baselineOutputs,
	Run:     runPretrainGaussian,
}

var pretrainMLPKind = pipeline.Kind{
	Name: "pretrain-mlp",
	Doc: "Fits the deterministic point predictor ŷ(x), a ReLU MLP, by mean squared error on the train rows " +
		"(power.md §5). It is the two-stage MLP model and the start of deterministic DFL. bias_only builds " +
		"the synthetic reference's model instead: a learned vector that ignores x (synthetic.md §8.7).",
	Params: specs(baselineParams(1000, 1e-3), []pipeline.ParamSpec{
		boolParam("bias_only", false, "the reference's synthetic bias-only model (ignores x)"),
	}),
	Inputs:  []pipeline.PortSpec{{Name: "data", Doc: "a dataset artifact"}},
	Outputs: baselineOutputs,
	Run:     runPretrainMLP,
}

// regressor is what the baseline pretraining needs of a predictor: its
// parameters, a loss on rows that adds scale·∇ into G, and its record.
type regressor interface {
	Params() []*nn.Param
	Record() (arrow.Record, error)
}

// runPretrainGaussian is the Run function of the pretrain-gaussian kind.
func runPretrainGaussian(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	if err := positive(p, "hidden", "layers", "epochs"); err != nil {
		return nil, err
	}
	dx, dy := t.dims()
	g, err := model.NewGaussian(model.GaussianConfig{XDim: dx, YDim: dy, Hidden: hiddenSizes(p)}, newRNG(p.Int("seed"), streamInit))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParam, err)
	}
	return pretrainBaseline(ctx, t, g, g.NLL, "pretrain-gaussian", "NLL", p, r)
}

// runPretrainMLP is the Run function of the pretrain-mlp kind.
func runPretrainMLP(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	if err := positive(p, "hidden", "layers", "epochs"); err != nil {
		return nil, err
	}
	dx, dy := t.dims()
	pt, err := model.NewPoint(model.PointConfig{XDim: dx, YDim: dy, Hidden: hiddenSizes(p), BiasOnly: p.Bool("bias_only")}, newRNG(p.Int("seed"), streamInit))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParam, err)
	}
	return pretrainBaseline(ctx, t, pt, pt.MSE, "pretrain-mlp", "MSE", p, r)
}

// hiddenSizes is the hidden layer list of the hidden and layers params.
func hiddenSizes(p pipeline.Params) []int {
	h := make([]int, p.Int("layers"))
	for i := range h {
		h[i] = p.Int("hidden")
	}
	return h
}

// pretrainBaseline fits m by loss (NLL or MSE: value on rows, scale·∇ into
// G) with Adam over minibatches of the train rows, and returns the model and
// its curve.
func pretrainBaseline(ctx context.Context, t *task, m regressor, loss func(x, y *nn.Matrix, scale float64) float64,
	kind, lossName string, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	if p.Int("batch") < 0 {
		return nil, fmt.Errorf("%w: batch = %d, want ≥ 0 (0 = full batch)", ErrParam, p.Int("batch"))
	}
	train, hold := t.split(datasets.Train), t.split(datasets.Hold)
	if err := train.needRows(kind); err != nil {
		return nil, err
	}
	r.Logf("%s on %s: %d train rows, %d parameters, %s", kind, t.label, train.n(), nn.NumParams(m.Params()), blasBackend())
	opt := nn.NewAdam(m.Params(), p.Float("lr"))
	rng := newRNG(p.Int("seed"), streamTrain)
	epochs, every := p.Int("epochs"), evalEvery(p.Int("eval_every"), p.Int("epochs"))
	batch := p.Int("batch")
	if batch == 0 || batch > train.n() {
		batch = train.n()
	}
	cv := newCurve(ColTrainLoss, ColHoldLoss, ColSeconds)
	for e := 1; e <= epochs; e++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		var sum float64
		for _, idx := range minibatches(train.n(), batch, rng) {
			b := train.rows(idx)
			opt.ZeroGrad()
			sum += loss(b.x, b.yf, 1) * float64(len(idx))
			opt.Step()
		}
		tl, hl := sum/float64(train.n()), math.NaN()
		if math.IsNaN(tl) || math.IsInf(tl, 0) {
			return nil, fmt.Errorf("%w: %s training %s is %g at epoch %d (lower lr?)", ErrNumeric, kind, lossName, tl, e)
		}
		if hold.n() > 0 && (e%every == 0 || e == epochs) {
			hl = loss(hold.x, hold.yf, 0)
			r.Logf("epoch %d/%d: train %s %.5g, hold %s %.5g", e, epochs, lossName, tl, lossName, hl)
		}
		cv.add(e, tl, hl, time.Since(start).Seconds())
		r.Progress(int64(e), int64(epochs), "epoch")
	}
	meta, err := runMeta{task: t.name, dataset: t.label, seed: p.Int("seed"), kind: kind, params: p}.entries()
	if err != nil {
		return nil, err
	}
	return modelOutputs(m, meta, map[string]*curve{"curve": cv})
}

// minibatches returns a random order of n rows cut into batches of size b
// (the last one shorter); b ≥ n gives one batch in row order.
func minibatches(n, b int, rng interface{ Perm(int) []int }) [][]int {
	if b >= n {
		return [][]int{rowRange(0, n)}
	}
	order := rng.Perm(n)
	var out [][]int
	for lo := 0; lo < n; lo += b {
		out = append(out, order[lo:min(lo+b, n)])
	}
	return out
}

// recorder is a model that serializes itself to a parameter record.
type recorder interface {
	Record() (arrow.Record, error)
}

// modelOutputs returns the model artifact of m with meta and the curves.
func modelOutputs(m recorder, meta map[string]string, curves map[string]*curve) (pipeline.Outputs, error) {
	rec, err := m.Record()
	if err != nil {
		return nil, err
	}
	out := pipeline.Outputs{"model": withMeta(rec, meta)}
	for name, c := range curves {
		crec, err := c.record(meta)
		if err != nil {
			releaseOutputs(out)
			return nil, err
		}
		out[name] = crec
	}
	return out, nil
}
