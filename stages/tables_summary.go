package stages

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// readSummary reads the aggregate kind's summary output.
func readSummary(rec arrow.Record) (summaryIndex, error) {
	idx := summaryIndex{rows: map[[4]string]summaryRow{}, tasks: map[string]string{}}
	text := map[string][]string{}
	for _, name := range []string{"task", "dataset", "method", "split", "metric", "seeds", "nan_seeds", "estimator", "timesteps", "k", "steps_s", "best_epochs", "start_model"} {
		v, err := arrowtab.Strings(rec, name)
		if err != nil {
			return idx, fmt.Errorf("%w: summary: %w", ErrAggregateInput, err)
		}
		text[name] = v
	}
	ints := map[string][]int64{}
	for _, name := range []string{"n_seeds", "m"} {
		v, err := arrowtab.Int64s(rec, name)
		if err != nil {
			return idx, fmt.Errorf("%w: summary: %w", ErrAggregateInput, err)
		}
		ints[name] = v
	}
	nums := map[string][]float64{}
	for _, name := range []string{"mean", "std", "mc_se", "ci_low", "ci_high"} {
		v, err := arrowtab.Float64s(rec, name)
		if err != nil {
			return idx, fmt.Errorf("%w: summary: %w", ErrAggregateInput, err)
		}
		nums[name] = v
	}
	for i := range ints["n_seeds"] {
		row := summaryRow{task: text["task"][i], dataset: text["dataset"][i], method: text["method"][i],
			split: text["split"][i], metric: text["metric"][i], nSeeds: int(ints["n_seeds"][i]),
			mean: nums["mean"][i], std: nums["std"][i], seeds: text["seeds"][i], nanSeeds: text["nan_seeds"][i], m: ints["m"][i],
			config: aggConfig{estimator: text["estimator"][i], timesteps: text["timesteps"][i], k: text["k"][i], stepsS: text["steps_s"][i]},
			mcSE:   nums["mc_se"][i], ciLow: nums["ci_low"][i], ciHigh: nums["ci_high"][i],
			bestEpochs: text["best_epochs"][i], startModel: text["start_model"][i] == "true"}
		idx.rows[[4]string{row.dataset, row.method, row.split, row.metric}] = row
		idx.tasks[row.dataset] = row.task
	}
	return idx, nil
}

// readPaired reads the aggregate kind's paired output by (dataset, method).
// Missing interval bounds (nulls) read as NaN.
func readPaired(rec arrow.Record) (map[[2]string]pairedRow, error) {
	text := map[string][]string{}
	for _, name := range []string{"task", "dataset", "method", "baseline", "metric", "verdict"} {
		v, err := arrowtab.Strings(rec, name)
		if err != nil {
			return nil, fmt.Errorf("%w: paired: %w", ErrAggregateInput, err)
		}
		text[name] = v
	}
	nums := map[string][]float64{}
	for _, name := range []string{"diff", "ci_low", "ci_high"} {
		v, err := nullableFloats(rec, name)
		if err != nil {
			return nil, fmt.Errorf("%w: paired: %w", ErrAggregateInput, err)
		}
		nums[name] = v
	}
	seeds, err := nullableFloats(rec, "n_seeds")
	if err != nil {
		return nil, fmt.Errorf("%w: paired: %w", ErrAggregateInput, err)
	}
	out := map[[2]string]pairedRow{}
	for i := range text["task"] {
		out[[2]string{text["dataset"][i], text["method"][i]}] = pairedRow{task: text["task"][i], dataset: text["dataset"][i],
			method: text["method"][i], baseline: text["baseline"][i], metric: text["metric"][i], nSeeds: int(seeds[i]),
			diff: nums["diff"][i], ciLow: nums["ci_low"][i], ciHigh: nums["ci_high"][i], verdict: text["verdict"][i]}
	}
	return out, nil
}

// nullableFloats reads a float64 or int64 column of a display table, nulls
// as NaN.
func nullableFloats(rec arrow.Record, name string) ([]float64, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: no column %q", arrowtab.ErrSchema, name)
	}
	col := rec.Column(idx[0])
	out := make([]float64, col.Len())
	for i := range out {
		switch a := col.(type) {
		case *array.Float64:
			out[i] = a.Value(i)
		case *array.Int64:
			out[i] = float64(a.Value(i))
		default:
			return nil, fmt.Errorf("%w: column %q is %s, want float64 or int64", arrowtab.ErrSchema, name, col.DataType())
		}
		if col.IsNull(i) {
			out[i] = math.NaN()
		}
	}
	return out, nil
}
