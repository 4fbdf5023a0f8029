package stages

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// benchTask is one task at the default profile's sizes (pipelines.yaml):
// hidden 256, 3 blocks, T = 1000, and the task's minibatch B, samples M,
// sampling steps S, ELBO timesteps K and DDIM η.
type benchTask struct {
	name          string
	kind          pipeline.Kind
	params        map[string]any // data params
	file          string         // a data file that must exist (skip otherwise)
	b, m, s, k    int
	eta           float64
	pretrainEpoch int // denoising epochs before timing, so samples are plausible
}

var benchTasks = []benchTask{
	{name: "synthetic", kind: dataSyntheticKind, b: 32, m: 16, s: 20, k: 10, eta: 0.8, pretrainEpoch: 100},
	{name: "power", kind: dataPowerKind, file: "pjm/" + datasets.PJMFile2008, b: 64, m: 16, s: 20, k: 10, pretrainEpoch: 3},
	{name: "portfolio", kind: dataPortfolioKind, file: "sp500/constituents.csv", b: 64, m: 16, s: 20, k: 10, pretrainEpoch: 3},
}

// BenchmarkDFLStep times one decision-focused training step of the
// diffusion model (sampling, solving, the estimator's backward pass, the
// denoising regularizer, mixing and Adam) per estimator at the default
// profile's sizes, and reports the estimator's activation memory and the
// Go heap's peak above the start of the step.
//
//	go test -run XXX -bench DFLStep -benchtime 5x -count 5 ./stages
func BenchmarkDFLStep(b *testing.B) {
	for _, bt := range benchTasks {
		dir := sharedData
		if bt.file != "" {
			dir = dataDirForTest(b, bt.file)
		}
		data := benchData(b, bt, dir)
		for _, est := range []struct{ name, estimator, timesteps string }{
			{"sf", EstimatorSF, TimestepsUniform}, {"sf-is", EstimatorSF, TimestepsImportance}, {"rp", EstimatorRP, TimestepsUniform},
		} {
			b.Run(bt.name+"/"+est.name, func(b *testing.B) {
				tr, batch := benchTrainer(b, bt, data, est.estimator, est.timesteps)
				ctx := context.Background()
				var peak, tape float64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					hp := startHeapPeak()
					if _, _, err := tr.step(ctx, batch); err != nil {
						b.Fatal(err)
					}
					peak = max(peak, float64(hp.stop()))
					tape = max(tape, tr.res.stats.estimatorBytes)
				}
				b.ReportMetric(peak/(1<<20), "peak-heap-MiB")
				b.ReportMetric(tape/(1<<20), "estimator-MiB")
			})
		}
	}
}

// benchData loads the task's data (a round trip through Arrow, as a stage
// receives it).
func benchData(b *testing.B, bt benchTask, dir string) arrow.Record {
	out, _ := runKind(b, bt.kind, bt.params, nil, dir)
	return roundTrip(b, out["table"])
}

// benchTrainer returns a trainer of a briefly pretrained default-size
// diffusion model and one minibatch of training contexts.
func benchTrainer(b *testing.B, bt benchTask, data arrow.Record, estimator, timesteps string) (*trainer, *split) {
	b.Helper()
	pre, _ := runKind(b, pretrainDiffusionKind, map[string]any{"hidden": 256, "blocks": 3, "epochs": bt.pretrainEpoch, "batch": 512}, map[string]arrow.Record{"data": data}, "")
	pred, err := loadPredictor(roundTrip(b, pre["model"]))
	if err != nil {
		b.Fatal(err)
	}
	t, err := newTask(data)
	if err != nil {
		b.Fatal(err)
	}
	p, problems := dflDiffusionKind.CheckParams(pipeline.Params{"estimator": estimator, "timesteps": timesteps,
		"K": bt.k, "samples": bt.m, "steps": bt.s, "eta": bt.eta, "batch": bt.b})
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	l, err := newDiffusionLearner(t, pred, p)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := loadConfig(p)
	if err != nil {
		b.Fatal(err)
	}
	tr := &trainer{l: l, cfg: cfg, ps: l.params(), rng: newRNG(1, streamTrain), r: &logReporter{}}
	tr.opt = nn.NewAdam(tr.ps, cfg.lr)
	train := t.split(datasets.Train)
	return tr, train.rows(rowRange(0, bt.b))
}

// BenchmarkEvaluate times the evaluation of a default-size diffusion model
// on the power test split (M = 16, S = 20): sampling and per-context solves.
func BenchmarkEvaluate(b *testing.B) {
	dir := dataDirForTest(b, "pjm/"+datasets.PJMFile2008)
	bt := benchTasks[1]
	data := benchData(b, bt, dir)
	t, err := newTask(data)
	if err != nil {
		b.Fatal(err)
	}
	net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 24, XDim: 149, Hidden: 256, Blocks: 3}, newRNG(1, streamInit))
	pred := &predictor{diff: model.NewDiffusion(net, model.DefaultSchedule())}
	rule, err := newDecisionRule(t, DecisionPerX, GradientsExact, -1)
	if err != nil {
		b.Fatal(err)
	}
	test := t.split(datasets.Test)
	cfg := evalConfig{m: bt.m, sampler: model.Sampler{Steps: bt.s}, rule: rule}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := evaluateSplit(context.Background(), t, pred, test, cfg, newRNG(i, streamEval)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(test.n()), "contexts")
}
