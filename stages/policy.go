package stages

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// Training sets of the policy kind (param "train_on").
const (
	TrainOnTrain     = "train"      // train rows, best epoch by hold task loss (default)
	TrainOnTrainHold = "train_hold" // train and hold rows, final epoch (reference)
)

var policyKind = pipeline.Kind{
	Name: "policy",
	Doc: "Policy learning: a ReLU network outputs the decision z(x) directly and is trained on the task loss " +
		"at the true y, no solver in the loop (synthetic.md §6). output=softmax puts z on the simplex (the " +
		"portfolio reference); project=true projects z onto the task's feasible set with the projection's " +
		"vector–Jacobian product (the reference has no projection on synthetic and power, so its z may be " +
		"infeasible). train_on=train selects the epoch on hold (our default); train_hold trains on train+hold " +
		"and keeps the last epoch, as the reference.",
	Params: []pipeline.ParamSpec{
		intParam("hidden", 256, "width of the hidden layers (reference 1024)"),
		intParam("layers", 2, "number of hidden ReLU layers (reference 2)"),
		enumParam("output", model.OutputNone, "output transform: none, or softmax (on the simplex)", model.OutputNone, model.OutputSoftmax),
		boolParam("project", false, "project z onto the feasible set (box, ramps, simplex)"),
		enumParam("train_on", TrainOnTrain, "train (select on hold) or train_hold (reference: no selection)", TrainOnTrain, TrainOnTrainHold),
		intParam("epochs", 300, "passes over the training rows (reference: synthetic 300, power 1000, portfolio 50)"),
		intParam("batch", 0, "rows per step (0 = full batch, as the synthetic and power reference)"),
		floatParam("lr", 1e-4, "Adam learning rate (reference: synthetic 1e-5, power 1e-4, portfolio 1e-2)"),
		intParam("patience", 0, "stop after this many epochs without a better hold task loss (0 = never)"),
		seedParam("seed of the initialization and batch order"),
		methodParam(),
	},
	Inputs: []pipeline.PortSpec{{Name: "data", Doc: "a dataset artifact"}},
	Outputs: []pipeline.PortSpec{
		{Name: "model", Doc: "the policy network (metadata policy.project says whether evaluation projects its output)"},
		{Name: "curve", Doc: "per epoch: train_task_loss, hold_task_loss (NaN with train_hold), denoise_loss (NaN), seconds",
			Measures: []string{ColSeconds}},
	},
	Run: runPolicy,
}

// policyLearner trains a policy on the task loss; it has no regularizer.
type policyLearner struct {
	t   *task
	pol *model.Policy
	prj bool
}

// runPolicy is the Run function of the policy kind.
func runPolicy(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, err
	}
	if err := positive(p, "hidden", "layers"); err != nil {
		return nil, err
	}
	dx, dy := t.dims()
	pol, err := model.NewPolicy(model.PolicyConfig{XDim: dx, ZDim: dy, Hidden: hiddenSizes(p), Output: p.String("output")}, newRNG(p.Int("seed"), streamInit))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParam, err)
	}
	cfg := loopConfig{epochs: p.Int("epochs"), batch: p.Int("batch"), patience: p.Int("patience"),
		seed: p.Int("seed"), lr: p.Float("lr"), mix: 1}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	train, hold := t.split(datasets.Train), t.split(datasets.Hold)
	if p.String("train_on") == TrainOnTrainHold {
		cfg.noSelect = true
		train = joinSplits(train, hold)
	}
	l := &policyLearner{t: t, pol: pol, prj: p.Bool("project")}
	r.Logf("policy on %s: output %s, project %v, %d training rows, %s", t.label, p.String("output"), l.prj, train.n(), blasBackend())
	res, err := trainDFL(ctx, l, train, hold, cfg, r)
	if err != nil {
		return nil, err
	}
	meta, err := runMeta{task: t.name, dataset: t.label, method: methodLabel(p, "policy"), seed: p.Int("seed"), kind: "policy", params: p}.entries()
	if err != nil {
		return nil, err
	}
	meta[MetaProject] = fmt.Sprint(l.prj)
	return modelOutputs(pol, meta, map[string]*curve{"curve": res.curve})
}

// joinSplits returns the rows of a followed by those of b.
func joinSplits(a, b *split) *split {
	_, dy := a.y.Dims()
	y := mat.NewDense(a.n()+b.n(), dy, nil)
	y.Stack(a.y, b.y)
	x := nn.NewMatrix(a.n()+b.n(), a.x.Cols)
	copy(x.Data, a.x.Data)
	copy(x.Data[len(a.x.Data):], b.x.Data)
	return &split{name: a.name + "+" + b.name, x: x, y: y, yf: toNN(y)}
}

func (l *policyLearner) retried() int { return 0 }

func (l *policyLearner) params() []*nn.Param { return l.pol.Params() }

// decisionGrad adds ∇_θ (1/B) Σ_b f(y_b, Π(z(x_b))), Π the projection when
// set (its VJP from package solver), the identity otherwise.
func (l *policyLearner) decisionGrad(ctx context.Context, b *split, _ *rand.Rand) (float64, int64, error) {
	tape := &nn.Tape{}
	raw := toDense(l.pol.Forward(b.x, tape))
	n := l.t.prob.Dim()
	dZ := nn.NewMatrix(b.n(), n)
	g := make([]float64, n)
	var sum float64
	for i := 0; i < b.n(); i++ {
		z := raw.RawRowView(i)
		var sol *solver.Solution
		if l.prj {
			var err error
			if sol, err = solver.Project(ctx, l.t.prob, z, nil); err != nil {
				return 0, 0, fmt.Errorf("%w: projecting decision %d: %w", ErrNumeric, i, err)
			}
			z = sol.Z
		}
		y := b.y.RawRowView(i)
		sum += l.t.prob.Cost(y, z)
		l.t.prob.Grad(g, y, z)
		for k := range g {
			g[k] /= float64(b.n())
		}
		if l.prj {
			var err error
			if g, err = solver.ProjectVJP(l.t.prob, raw.RawRowView(i), sol, g); err != nil {
				return 0, 0, fmt.Errorf("%w: projection VJP %d: %w", ErrNumeric, i, err)
			}
		}
		for k, v := range g {
			dZ.Row(i)[k] = float32(v)
		}
	}
	l.pol.Backward(tape, dZ)
	return sum / float64(b.n()), -1, nil
}

func (l *policyLearner) regGrad(*split, *rand.Rand) float64 { return math.NaN() }

func (l *policyLearner) holdLoss(ctx context.Context, s *split, rng *rand.Rand) (float64, error) {
	m, err := evaluateSplit(ctx, l.t, &predictor{policy: l.pol, project: l.prj}, s, evalConfig{}, rng)
	return m.taskLoss, err
}
