package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// KindTuneSelection is the arrowtab.MetaKind of the tune-select output.
const KindTuneSelection = "tune.selection"

// tuneSelectKind picks each DFL method's learning rate from the hold curves
// of a learning-rate sweep. It sees only hold losses: the sweep's DFL stages
// never touch the test rows, and no evaluate stage feeds it.
func tuneSelectKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "tune-select",
		Doc: "Selects the DFL learning rate (and reports the epoch) of every (dataset, method) of a sweep by the hold " +
			"split only: each run's score is the lowest hold task loss on its curve (epoch 0, the model as it came in, " +
			"included, as the DFL stages select); a rate's score is the mean of its runs' scores over the sweep's seeds, " +
			"and the rate with the lowest mean wins; ties (typically every rate keeping epoch 0, so DFL did not help at " +
			"any rate) go to the smallest rate. Every rate of a (dataset, method) must have run on the same seeds. Reads " +
			"the lr from each model's trained_by metadata and the seed from each curve's metadata. Output: one row per " +
			"run, the winning rate's rows marked.",
		Inputs: []pipeline.PortSpec{
			{Name: "curves", Many: true, Doc: "fan-in of the sweep's DFL curve outputs"},
			{Name: "models", Many: true, Doc: "fan-in of the same stages' model outputs (their params give the lr)"},
		},
		Outputs: []pipeline.PortSpec{{Name: "selection", Doc: "task, dataset, method, lr, seed, best_epoch, epochs, hold_task_loss, hold_task_loss_epoch0, improved, mean_hold_task_loss (the rate's mean over seeds), seeds, selected, stage"}},
		Run:     runTuneSelect,
	}
}

// tuneCandidate is one run of the sweep: one rate on one seed.
type tuneCandidate struct {
	stage, task, dataset, method string
	lr                           float64
	seed, bestEpoch, epochs      int
	hold, hold0                  float64
	meanHold                     float64 // the rate's mean hold score over the seeds
	seeds                        int     // how many seeds the mean covers
	selected                     bool
}

// runTuneSelect is the Run function of the tune-select kind.
func runTuneSelect(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	names, curves := fanInRecords(in.Tables, "curves")
	_, models := fanInRecords(in.Tables, "models")
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: tune-select: the curves fan-in matched no stage", ErrInput)
	}
	var cands []tuneCandidate
	for _, stage := range names {
		c, err := readTuneCandidate(stage, curves[stage], models[stage])
		if err != nil {
			return nil, err
		}
		cands = append(cands, c)
	}
	if err := selectTuned(cands); err != nil {
		return nil, err
	}
	for _, c := range cands {
		mark := ""
		if c.selected {
			mark = " (selected)"
		}
		r.Logf("%s %s lr %g seed %d: best hold task loss %.6g at epoch %d of %d (epoch 0: %.6g); rate mean %.6g over %d seeds%s",
			c.dataset, c.method, c.lr, c.seed, c.hold, c.bestEpoch, c.epochs, c.hold0, c.meanHold, c.seeds, mark)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rec, err := tuneRecord(cands)
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"selection": rec}, nil
}

// readTuneCandidate reads one sweep run: its metadata and hold curve from
// the curve, its lr from the model's params.
func readTuneCandidate(stage string, curve, model arrow.Record) (tuneCandidate, error) {
	c := tuneCandidate{stage: stage}
	if model == nil {
		return c, fmt.Errorf("%w: tune-select: stage %s has a curve but no model input (wire both fan-ins to the same stages)", ErrInput, stage)
	}
	id, err := readRunID(stage, curve)
	if err != nil {
		return c, err
	}
	c.task, c.dataset, c.method, c.seed = id.task, id.dataset, id.method, id.seed
	var trained struct {
		Params map[string]any `json:"params"`
	}
	raw, _ := arrowtab.Meta(model, MetaTrainedBy)
	if err := json.Unmarshal([]byte(raw), &trained); err != nil {
		return c, fmt.Errorf("%w: tune-select: stage %s: model %s metadata: %v", ErrInput, stage, MetaTrainedBy, err)
	}
	lr, ok := trained.Params["lr"].(float64)
	if !ok {
		return c, fmt.Errorf("%w: tune-select: stage %s: its model's params have no numeric lr (is it a DFL stage?)", ErrInput, stage)
	}
	c.lr = lr
	epochs, err := arrowtab.Int64s(curve, ColEpoch)
	if err != nil {
		return c, fmt.Errorf("%w: tune-select: stage %s: %w", ErrInput, stage, err)
	}
	hold, err := arrowtab.Float64s(curve, ColHoldTaskLoss)
	if err != nil {
		return c, fmt.Errorf("%w: tune-select: stage %s: %w (want a DFL curve)", ErrInput, stage, err)
	}
	c.hold, c.hold0 = math.Inf(1), math.NaN()
	for i, h := range hold {
		if epochs[i] == 0 {
			c.hold0 = h
		}
		if h < c.hold { // strict: the earliest best epoch, as the DFL loop keeps
			c.hold, c.bestEpoch = h, int(epochs[i])
		}
		c.epochs = max(c.epochs, int(epochs[i]))
	}
	if math.IsInf(c.hold, 1) {
		return c, fmt.Errorf("%w: tune-select: stage %s: no finite hold task loss on its curve", ErrNumeric, stage)
	}
	return c, nil
}

// selectTuned scores every rate of a (dataset, method) by the mean of its
// runs' hold scores over the seeds and marks the runs of the lowest-scoring
// rate, ties to the smallest lr. It sorts cands by dataset, method, lr and
// seed, and fails when the rates of a (dataset, method) ran on different
// seeds (a mean over other seeds would not compare) or a seed ran twice.
func selectTuned(cands []tuneCandidate) error {
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.dataset != b.dataset {
			return a.dataset < b.dataset
		}
		if a.method != b.method {
			return a.method < b.method
		}
		if a.lr != b.lr {
			return a.lr < b.lr
		}
		return a.seed < b.seed
	})
	for i := 0; i < len(cands); {
		j := i
		for j < len(cands) && cands[j].dataset == cands[i].dataset && cands[j].method == cands[i].method {
			j++
		}
		if err := selectGroup(cands[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// selectGroup scores and marks the runs of one (dataset, method), sorted
// by lr and seed.
func selectGroup(g []tuneCandidate) error {
	var seeds0 []int // the seeds of the first rate
	bestLo, bestHi, bestMean := -1, -1, math.Inf(1)
	for lo := 0; lo < len(g); {
		hi := lo
		var sum float64
		var seeds []int
		for hi < len(g) && g[hi].lr == g[lo].lr {
			if hi > lo && g[hi].seed == g[hi-1].seed {
				return fmt.Errorf("%w: tune-select: %s %s lr %g: seed %d ran twice (%s, %s)", ErrInput,
					g[lo].dataset, g[lo].method, g[lo].lr, g[hi].seed, g[hi-1].stage, g[hi].stage)
			}
			sum += g[hi].hold
			seeds = append(seeds, g[hi].seed)
			hi++
		}
		if lo == 0 {
			seeds0 = seeds
		} else if !slices.Equal(seeds, seeds0) {
			return fmt.Errorf("%w: tune-select: %s %s: lr %g ran on seeds %v but lr %g on seeds %v; every rate needs the same seeds",
				ErrInput, g[lo].dataset, g[lo].method, g[0].lr, seeds0, g[lo].lr, seeds)
		}
		mean := sum / float64(len(seeds))
		for k := lo; k < hi; k++ {
			g[k].meanHold, g[k].seeds = mean, len(seeds)
		}
		if mean < bestMean { // strict: ties go to the smaller rate, met first
			bestLo, bestHi, bestMean = lo, hi, mean
		}
		lo = hi
	}
	for k := bestLo; k < bestHi; k++ {
		g[k].selected = true
	}
	return nil
}

// tuneRecord writes the candidates as the selection table.
func tuneRecord(cands []tuneCandidate) (arrow.Record, error) {
	n := len(cands)
	task, dataset, method, stage, improved, selected := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lr, hold, hold0, mean := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	seed, best, epochs, seeds := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for i, c := range cands {
		task[i], dataset[i], method[i], stage[i] = c.task, c.dataset, c.method, c.stage
		lr[i], hold[i], hold0[i], mean[i] = c.lr, c.hold, c.hold0, c.meanHold
		seed[i], best[i], epochs[i], seeds[i] = int64(c.seed), int64(c.bestEpoch), int64(c.epochs), int64(c.seeds)
		improved[i], selected[i] = yes(c.bestEpoch > 0), yes(c.selected)
	}
	return arrowtab.NewBuilder().String("task", task).String("dataset", dataset).String("method", method).
		Float64("lr", lr).Int64("seed", seed).Int64("best_epoch", best).Int64("epochs", epochs).
		Float64("hold_task_loss", hold).Float64("hold_task_loss_epoch0", hold0).String("improved", improved).
		Float64("mean_hold_task_loss", mean).Int64("seeds", seeds).String("selected", selected).
		String("stage", stage).Record(map[string]string{arrowtab.MetaKind: KindTuneSelection,
		"selection": "hold split only: per run the lowest hold task loss over epochs; per rate the mean over seeds; lowest mean wins, ties to the smallest lr"})
}
