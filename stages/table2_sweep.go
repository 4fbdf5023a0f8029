package stages

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// KindStepCost is the artifact kind of the step-cost table.
const KindStepCost = "step_cost"

// Columns of the step-cost table.
const (
	ColMsPerStep    = "ms_per_step"
	ColEstimatorMiB = "estimator_mib"
	ColHeapPeakMiB  = "heap_peak_mib"
)

// streamStepCost is the random stream of the step-cost kind's minibatches,
// samples and noise.
const streamStepCost uint64 = 50

// stepCostKind measures Table 2's time and memory per DFL step against the
// number of sampling steps S.
var stepCostKind = pipeline.Kind{
	Name: "step-cost",
	Doc: "Table 2 against the number of sampling steps S: the wall time and memory of one decision-focused " +
		"training step (decision gradient, denoising regularizer, mixing and Adam step, as dfl-diffusion takes " +
		"it) of each diffusion estimator — score function with uniform timesteps (K_uniform), with importance-" +
		"sampled timesteps (K), and reparameterization through the chain — on a pretrained diffusion model, at " +
		"every S of Ss. Per estimator and S: one untimed warm-up step, then reps timed steps on seeded train " +
		"minibatches with the learning rate 0 (the model never changes). Output: one row per estimator and S " +
		"with the median ms per step, the estimator's own memory (the score function's ELBO tape, or the " +
		"reparameterized chain's activations) and the Go heap's peak above the step's start, in MiB.",
	Params: specs([]pipeline.ParamSpec{
		seedParam("seed of the minibatches, samples and noise"),
		{Name: "Ss", Type: pipeline.Ints, Default: []any{5, 10, 20, 50}, Doc: "DDIM sampling steps S measured", Range: atLeastOne.Upto(1e6)},
		intParam("samples", 16, "M, samples per context"),
		intParam("batch", 64, "contexts per step"),
		intParam("K", 10, "ELBO timesteps of the importance-sampled score function"),
		{Name: "K_uniform", Type: pipeline.Int, Default: 10, Doc: "ELBO timesteps of the uniform score function", Range: atLeastOne.Upto(1e6)},
		floatParam("eta", 0, "DDIM η of the samples"),
		enumParam("importance_variant", ImportancePlain, "importance sampling: plain or self_normalized (as dfl-diffusion)", ImportancePlain, ImportanceSelfNormal),
		{Name: "reps", Type: pipeline.Int, Default: 3, Doc: "timed steps per estimator and S (after one warm-up step)", Range: atLeastOne.Upto(1000)},
		floatParam("mix", 0.9, "weight of the decision gradient (as dfl-diffusion; < 1 adds the regularizer's cost)"),
		enumParam("mix_scale", "dfl", "gradient-norm mixing, as dfl-diffusion", "den", "dfl"),
	}, decisionParams()),
	Inputs: []pipeline.PortSpec{
		{Name: "data", Doc: "a dataset artifact"},
		{Name: "model", Doc: "a pretrained diffusion model of that dataset"},
	},
	Outputs: []pipeline.PortSpec{{Name: "costs", Doc: "one row per estimator and S: method, estimator, S, K, ms_per_step, estimator_mib, heap_peak_mib; metadata task, dataset",
		Measures: []string{ColMsPerStep, ColHeapPeakMiB}}},
	Run: runStepCost,
}

// stepCostRow is one measurement of the step-cost table.
type stepCostRow struct {
	method, estimator      string
	s, k                   int
	ms, estimatorMiB, heap float64
}

// stepEstimator is one estimator the step-cost kind measures.
type stepEstimator struct {
	method, estimator, timesteps string
	k                            int
}

// runStepCost is the Run function of the step-cost kind.
func runStepCost(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, pred, err := loadTaskModel(in)
	if err != nil {
		return nil, err
	}
	if pred.diff == nil {
		return nil, fmt.Errorf("%w: step-cost needs a diffusion model, the input is %q", ErrInput, pred.arch)
	}
	if err := positive(p, "samples", "batch", "K", "K_uniform", "reps"); err != nil {
		return nil, err
	}
	train := t.split(datasets.Train)
	if err := train.needRows("step-cost"); err != nil {
		return nil, err
	}
	ests := []stepEstimator{
		{"diffusion-sf", EstimatorSF, TimestepsUniform, p.Int("K_uniform")},
		{"diffusion-sf-is", EstimatorSF, TimestepsImportance, p.Int("K")},
		{"diffusion-rp", EstimatorRP, TimestepsUniform, 0},
	}
	ps := pred.diff.Net.Params()
	start := snapshotParams(ps)
	var rows []stepCostRow
	for _, s := range p.Ints("Ss") {
		if s <= 0 {
			return nil, fmt.Errorf("%w: Ss holds %d, want sampling steps ≥ 1", ErrParam, s)
		}
		for _, e := range ests {
			row, err := measureStep(ctx, t, pred, train, p, e, s, r)
			restoreParams(ps, start)
			if err != nil {
				return nil, fmt.Errorf("step-cost %s at S = %d: %w", e.method, s, err)
			}
			r.Logf("%s, S = %d: %.1f ms/step, estimator %.1f MiB, heap peak %.1f MiB", e.method, s, row.ms, row.estimatorMiB, row.heap)
			rows = append(rows, row)
		}
	}
	rec, err := stepCostRecord(t, p, rows)
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"costs": rec}, nil
}

// measureStep times reps DFL steps of estimator e at S sampling steps (after
// one untimed warm-up step) with the trainer dfl-diffusion uses.
func measureStep(ctx context.Context, t *task, pred *predictor, train *split, p pipeline.Params, e stepEstimator, s int, r pipeline.Reporter) (stepCostRow, error) {
	l, err := newDiffusionLearner(t, pred, stepLearnerParams(p, e, s))
	if err != nil {
		return stepCostRow{}, err
	}
	cfg := loopConfig{epochs: 1, batch: p.Int("batch"), seed: p.Int("seed"), mix: p.Float("mix"), mixScale: p.String("mix_scale")}
	tr := &trainer{l: l, cfg: cfg, ps: l.params(), rng: newRNG(p.Int("seed"), streamStepCost), r: r}
	tr.opt = nn.NewAdam(tr.ps, 0)
	tr.res.stats.estimatorBytes = math.NaN()
	batch := min(p.Int("batch"), train.n())
	var times []float64
	peak := 0.0
	for i := 0; i <= p.Int("reps"); i++ {
		b := train.rows(tr.rng.Perm(train.n())[:batch])
		hp := startHeapPeak()
		begin := time.Now()
		_, _, err := tr.step(ctx, b)
		secs := time.Since(begin).Seconds()
		h := float64(hp.stop())
		if err != nil {
			return stepCostRow{}, err
		}
		if i > 0 { // step 0 warms caches and the allocator
			times = append(times, secs)
			peak = max(peak, h)
		}
	}
	const mib = 1 << 20
	return stepCostRow{method: e.method, estimator: e.estimator, s: s, k: e.k, ms: 1000 * median(times),
		estimatorMiB: nanToZero(tr.res.stats.estimatorBytes) / mib, heap: peak / mib}, nil
}

// stepLearnerParams are the dfl-diffusion params of estimator e at S steps:
// the kind's defaults, with the step-cost stage's sizes and decision rule.
func stepLearnerParams(p pipeline.Params, e stepEstimator, s int) pipeline.Params {
	lp := pipeline.Params{}
	for _, spec := range dflDiffusionKind.Params {
		lp[spec.Name] = spec.Default
	}
	for _, name := range []string{"samples", "eta", "importance_variant", "decision", "gradients", "smooth"} {
		lp[name] = p[name]
	}
	lp["estimator"], lp["timesteps"], lp["steps"] = e.estimator, e.timesteps, s
	lp["K"] = max(e.k, 1)
	return lp
}

// stepCostRecord writes the rows as the kind's output table.
func stepCostRecord(t *task, p pipeline.Params, rows []stepCostRow) (arrow.Record, error) {
	n := len(rows)
	methods, ests := make([]string, n), make([]string, n)
	ss, ks := make([]int64, n), make([]int64, n)
	ms, est, heap := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, row := range rows {
		methods[i], ests[i], ss[i], ks[i] = row.method, row.estimator, int64(row.s), int64(row.k)
		ms[i], est[i], heap[i] = row.ms, row.estimatorMiB, row.heap
	}
	return arrowtab.NewBuilder().String("method", methods).String("estimator", ests).Int64("S", ss).Int64("K", ks).
		Float64(ColMsPerStep, ms).Float64(ColEstimatorMiB, est).Float64(ColHeapPeakMiB, heap).
		Record(map[string]string{arrowtab.MetaKind: KindStepCost, MetaTask: t.name, MetaDataset: t.label,
			MetaSeed: fmt.Sprint(p.Int("seed"))})
}
