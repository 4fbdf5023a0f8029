package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
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
			"split only: each candidate's score is the lowest hold task loss on its curve (epoch 0, the model as it came " +
			"in, included, as the DFL stages select), and the candidate with the lowest score wins; ties (typically every " +
			"candidate keeping epoch 0, so DFL did not help at any rate) go to the smallest rate. Reads the lr from each " +
			"model's trained_by metadata. Output: one row per candidate, the winner marked.",
		Inputs: []pipeline.PortSpec{
			{Name: "curves", Many: true, Doc: "fan-in of the sweep's DFL curve outputs"},
			{Name: "models", Many: true, Doc: "fan-in of the same stages' model outputs (their params give the lr)"},
		},
		Outputs: []pipeline.PortSpec{{Name: "selection", Doc: "task, dataset, method, lr, best_epoch, epochs, hold_task_loss, hold_task_loss_epoch0, improved, selected, stage"}},
		Run:     runTuneSelect,
	}
}

// tuneCandidate is one run of the sweep.
type tuneCandidate struct {
	stage, task, dataset, method string
	lr                           float64
	bestEpoch, epochs            int
	hold, hold0                  float64
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
	selectTuned(cands)
	for _, c := range cands {
		if c.selected {
			r.Logf("%s %s: lr %g (best epoch %d of %d, hold task loss %.6g; epoch 0: %.6g)",
				c.dataset, c.method, c.lr, c.bestEpoch, c.epochs, c.hold, c.hold0)
		}
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
	c.task, c.dataset, c.method = id.task, id.dataset, id.method
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

// selectTuned marks the winner of every (dataset, method): the lowest hold
// loss, ties to the smallest lr. It sorts cands by dataset, method and lr.
func selectTuned(cands []tuneCandidate) {
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.dataset != b.dataset {
			return a.dataset < b.dataset
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.lr < b.lr
	})
	for i := 0; i < len(cands); {
		j, best := i, i
		for ; j < len(cands) && cands[j].dataset == cands[i].dataset && cands[j].method == cands[i].method; j++ {
			if cands[j].hold < cands[best].hold {
				best = j
			}
		}
		cands[best].selected = true
		i = j
	}
}

// tuneRecord writes the candidates as the selection table.
func tuneRecord(cands []tuneCandidate) (arrow.Record, error) {
	n := len(cands)
	task, dataset, method, stage, improved, selected := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lr, hold, hold0 := make([]float64, n), make([]float64, n), make([]float64, n)
	best, epochs := make([]int64, n), make([]int64, n)
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for i, c := range cands {
		task[i], dataset[i], method[i], stage[i] = c.task, c.dataset, c.method, c.stage
		lr[i], hold[i], hold0[i], best[i], epochs[i] = c.lr, c.hold, c.hold0, int64(c.bestEpoch), int64(c.epochs)
		improved[i], selected[i] = yes(c.bestEpoch > 0), yes(c.selected)
	}
	return arrowtab.NewBuilder().String("task", task).String("dataset", dataset).String("method", method).
		Float64("lr", lr).Int64("best_epoch", best).Int64("epochs", epochs).Float64("hold_task_loss", hold).
		Float64("hold_task_loss_epoch0", hold0).String("improved", improved).String("selected", selected).
		String("stage", stage).Record(map[string]string{arrowtab.MetaKind: KindTuneSelection,
		"selection": "hold split only: lowest hold task loss over epochs; ties to the smallest lr"})
}
