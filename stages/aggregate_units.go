package stages

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// readUnits reads the units fan-in (one record per evaluation, see
// newUnitsRecord) and attaches each record's per-unit values to the
// metrics run of the same (dataset, method, seed). When any units record is
// wired, every metrics run must have one, and each split's mean over units
// must reproduce the run's metric: a units record that belongs to another
// run, or a run whose units went missing, fails loudly instead of giving
// intervals around the wrong numbers.
func readUnits(tables map[string]arrow.Record, evals []aggRun) error {
	names, recs := fanInRecords(tables, "units")
	if len(names) == 0 {
		return nil
	}
	type key struct {
		dataset, method string
		seed            int
	}
	byKey := map[key]int{}
	for i, rv := range evals {
		byKey[key{rv.dataset, rv.method, rv.seed}] = i
	}
	seen := map[int]string{}
	for _, stage := range names {
		id, units, err := readUnitsRecord(stage, recs[stage])
		if err != nil {
			return err
		}
		i, ok := byKey[key{id.dataset, id.method, id.seed}]
		if !ok {
			return fmt.Errorf("%w: units stage %s (dataset %q, method %q, seed %d) has no metrics record", ErrInconsistentRuns, stage, id.dataset, id.method, id.seed)
		}
		if prev, dup := seen[i]; dup {
			return fmt.Errorf("%w: units stages %s and %s both describe metrics stage %s", ErrInconsistentRuns, prev, stage, evals[i].stage)
		}
		seen[i] = stage
		if err := checkUnitMeans(stage, evals[i], units); err != nil {
			return err
		}
		evals[i].units = units
	}
	for i, rv := range evals {
		if _, ok := seen[i]; !ok {
			return fmt.Errorf("%w: metrics stage %s has no units record (wire the units output of every evaluate and hindsight stage, or none)", ErrInconsistentRuns, rv.stage)
		}
	}
	return nil
}

// readUnitsRecord reads one units record: split, unit (0, 1, … within each
// split), task_loss, return_pct.
func readUnitsRecord(stage string, rec arrow.Record) (aggRunID, map[string]map[string][]float64, error) {
	id, err := readRunID(stage, rec)
	if err != nil {
		return id, nil, err
	}
	if kind, _ := arrowtab.Meta(rec, arrowtab.MetaKind); kind != KindUnits {
		return id, nil, fmt.Errorf("%w: stage %s: %s is %q, want %q (wire the units output of an evaluate or hindsight stage)",
			ErrAggregateInput, stage, arrowtab.MetaKind, kind, KindUnits)
	}
	splits, err := arrowtab.Strings(rec, ColSplit)
	if err != nil {
		return id, nil, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
	}
	idx, err := arrowtab.Int64s(rec, ColUnit)
	if err != nil {
		return id, nil, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
	}
	out := map[string]map[string][]float64{}
	for _, metric := range mcMetrics() {
		col, err := arrowtab.Float64s(rec, metric)
		if err != nil {
			return id, nil, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
		}
		for i, split := range splits {
			if out[split] == nil {
				out[split] = map[string][]float64{}
			}
			if int64(len(out[split][metric])) != idx[i] {
				return id, nil, fmt.Errorf("%w: stage %s: row %d is unit %d of split %s, want %d", ErrAggregateInput, stage, i, idx[i], split, len(out[split][metric]))
			}
			out[split][metric] = append(out[split][metric], col[i])
		}
	}
	return id, out, nil
}

// checkUnitMeans fails when a split's mean over units differs from the
// run's metric (relative tolerance 1e-9) or the split is unknown to it.
func checkUnitMeans(stage string, rv aggRun, units map[string]map[string][]float64) error {
	for split, metrics := range units {
		vals, ok := rv.values[split]
		if !ok {
			return fmt.Errorf("%w: units stage %s has split %q, metrics stage %s has not", ErrInconsistentRuns, stage, split, rv.stage)
		}
		for metric, u := range metrics {
			got, want := mean(u), vals[metric]
			if math.IsNaN(got) && math.IsNaN(want) {
				continue
			}
			if !(math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))) {
				return fmt.Errorf("%w: units stage %s: mean %s over %d %s units is %.12g, metrics stage %s reports %.12g",
					ErrInconsistentRuns, stage, metric, len(u), split, got, rv.stage, want)
			}
		}
	}
	return nil
}
