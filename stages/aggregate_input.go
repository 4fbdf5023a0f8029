package stages

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// Errors of the aggregate kind. Both name the offending stages.
var (
	// ErrAggregateInput reports a metrics or stats record that lacks the
	// metadata or columns of its contract.
	ErrAggregateInput = errors.New("aggregate: bad input record")
	// ErrInconsistentRuns reports runs that cannot be averaged together:
	// the same (dataset, method, seed) twice, one dataset label under two
	// tasks, evaluations of one dataset with different sample counts M, or
	// a run whose estimator contradicts its method label.
	ErrInconsistentRuns = errors.New("aggregate: inconsistent runs")
)

// evalMetrics are the per-split metric columns of a `metrics` record, in
// the order the summary lists them: the first four are required, the
// portfolio's risk figures are taken when present.
func evalMetrics() []string {
	return []string{ColTaskLoss, ColReturnPct, ColRMSE, ColRMSEHourSum, ColSharpe, ColEffAssets}
}

// requiredEvalMetrics is how many of evalMetrics every metrics record has.
const requiredEvalMetrics = 4

// mcMetrics are the metrics whose Monte-Carlo error a metrics record may
// carry (column metric + "_mc_se") and whose per-unit values a units record
// holds.
func mcMetrics() []string { return []string{ColTaskLoss, ColReturnPct} }

// statsMetrics are the columns of a `stats` record that the summary
// averages: the first three are required, the rest are taken when present.
func statsMetrics() (required, optional []string) {
	return []string{"sec_per_step_mean", "peak_heap_bytes", "estimator_bytes"},
		[]string{"sec_per_step_median", "steps", "best_epoch"}
}

// statsSplit is the split label of the summary rows that come from
// training stats (they describe the training run, not an evaluation).
const statsSplit = "train"

// aggRunID identifies one run: the stage that produced the record and the
// metadata every metrics and stats record carries.
type aggRunID struct {
	stage   string
	task    string
	dataset string
	method  string
	seed    int
	// modelDataset is the dataset label the evaluated model was trained
	// on, when the record names one (MetaModelDataset); "" otherwise.
	modelDataset string
}

// trainedOn is the dataset label under which the run's training stats
// are found.
func (id aggRunID) trainedOn() string {
	if id.modelDataset != "" {
		return id.modelDataset
	}
	return id.dataset
}

// aggRun is what one record contributes: per split, metric → value,
// and for metrics records the number of samples M of each split, the
// Monte-Carlo errors and evaluation draws, and the per-unit values.
type aggRun struct {
	aggRunID
	values map[string]map[string]float64   // split → metric → value
	m      map[string]int64                // split → M (metrics records only)
	config aggConfig                       // stats records only
	mcSE   map[string]map[string]float64   // split → metric → Monte-Carlo error (metrics records with draws)
	draws  map[string]int64                // split → R (metrics records with draws)
	units  map[string]map[string][]float64 // split → metric → per-unit values (from the units fan-in)
}

// aggConfig is the estimator configuration a stats record reports.
type aggConfig struct {
	estimator, timesteps, k, stepsS string
}

// fanInRecords returns the records of one fan-in input ("port/<stage>.<output>"
// entries of Inputs.Tables) by producing stage name, sorted.
func fanInRecords(tables map[string]arrow.Record, port string) ([]string, map[string]arrow.Record) {
	byStage := map[string]arrow.Record{}
	for name, rec := range tables {
		ref, ok := strings.CutPrefix(name, port+"/")
		if !ok {
			continue
		}
		stage := ref
		if i := strings.LastIndexByte(ref, '.'); i > 0 {
			stage = ref[:i]
		}
		byStage[stage] = rec
	}
	stages := make([]string, 0, len(byStage))
	for s := range byStage {
		stages = append(stages, s)
	}
	sort.Strings(stages)
	return stages, byStage
}

// readRunID reads the metadata every metrics and stats record carries.
func readRunID(stage string, rec arrow.Record) (aggRunID, error) {
	id := aggRunID{stage: stage}
	var missing []string
	for _, f := range []struct {
		key string
		dst *string
	}{{"task", &id.task}, {"dataset", &id.dataset}, {"method", &id.method}} {
		v, ok := arrowtab.Meta(rec, f.key)
		if !ok || v == "" {
			missing = append(missing, f.key)
		}
		*f.dst = v
	}
	seed, ok := arrowtab.Meta(rec, "seed")
	if !ok || seed == "" {
		missing = append(missing, "seed")
	}
	if len(missing) > 0 {
		return id, fmt.Errorf("%w: stage %s: schema metadata lacks %s", ErrAggregateInput, stage, strings.Join(missing, ", "))
	}
	s, err := strconv.Atoi(seed)
	if err != nil {
		return id, fmt.Errorf("%w: stage %s: seed metadata %q is not an integer", ErrAggregateInput, stage, seed)
	}
	id.seed = s
	id.modelDataset, _ = arrowtab.Meta(rec, MetaModelDataset)
	return id, nil
}

// readMetrics reads one `metrics` record (contract: one row per split,
// columns split, task_loss, return_pct, rmse, rmse_hour_sum, n, m).
func readMetrics(stage string, rec arrow.Record) (aggRun, error) {
	id, err := readRunID(stage, rec)
	if err != nil {
		return aggRun{}, err
	}
	if kind, _ := arrowtab.Meta(rec, arrowtab.MetaKind); kind != "metrics" {
		return aggRun{}, fmt.Errorf("%w: stage %s: %s is %q, want \"metrics\" (wire the metrics output of an evaluate or hindsight stage)",
			ErrAggregateInput, stage, arrowtab.MetaKind, kind)
	}
	rv := aggRun{aggRunID: id, values: map[string]map[string]float64{}, m: map[string]int64{}}
	splits, err := arrowtab.Strings(rec, "split")
	if err != nil {
		return rv, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
	}
	ms, err := arrowtab.Int64s(rec, "m")
	if err != nil {
		return rv, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
	}
	cols, seCols, err := metricsColumns(rec)
	if err != nil {
		return rv, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
	}
	draws, _ := arrowtab.Int64s(rec, ColDraws) // absent in single-draw records
	rv.mcSE, rv.draws = map[string]map[string]float64{}, map[string]int64{}
	for i, split := range splits {
		if _, dup := rv.values[split]; dup {
			return rv, fmt.Errorf("%w: stage %s: split %q appears twice", ErrAggregateInput, stage, split)
		}
		rv.values[split], rv.mcSE[split] = map[string]float64{}, map[string]float64{}
		for name, col := range cols {
			rv.values[split][name] = col[i]
		}
		for name, col := range seCols {
			rv.mcSE[split][name] = col[i]
		}
		rv.m[split] = ms[i]
		if draws != nil {
			rv.draws[split] = draws[i]
		}
	}
	return rv, nil
}

// metricsColumns reads the metric columns of a metrics record (the optional
// ones when present) and the Monte-Carlo error columns it has.
func metricsColumns(rec arrow.Record) (cols, seCols map[string][]float64, err error) {
	cols, seCols = map[string][]float64{}, map[string][]float64{}
	for i, name := range evalMetrics() {
		if i >= requiredEvalMetrics && len(rec.Schema().FieldIndices(name)) == 0 {
			continue
		}
		if cols[name], err = arrowtab.Float64s(rec, name); err != nil {
			return nil, nil, err
		}
	}
	for _, name := range mcMetrics() {
		if len(rec.Schema().FieldIndices(name+mcSESuffix)) == 0 {
			continue
		}
		if seCols[name], err = arrowtab.Float64s(rec, name+mcSESuffix); err != nil {
			return nil, nil, err
		}
	}
	return cols, seCols, nil
}

// readStats reads one `stats` record (contract: one row with the columns
// of statsMetrics; metadata estimator, timesteps, K, steps_S).
func readStats(stage string, rec arrow.Record) (aggRun, error) {
	id, err := readRunID(stage, rec)
	if err != nil {
		return aggRun{}, err
	}
	if rec.NumRows() != 1 {
		return aggRun{}, fmt.Errorf("%w: stage %s: a stats record has one row, this one has %d", ErrAggregateInput, stage, rec.NumRows())
	}
	vals := map[string]float64{}
	required, optional := statsMetrics()
	for i, name := range append(required, optional...) {
		v, err := statsValue(rec, name)
		if err != nil && (i < len(required) || !errors.Is(err, errNoColumn)) {
			return aggRun{}, fmt.Errorf("%w: stage %s: %w", ErrAggregateInput, stage, err)
		}
		if err == nil {
			vals[name] = v
		}
	}
	meta := func(key string) string { v, _ := arrowtab.Meta(rec, key); return v }
	return aggRun{
		aggRunID: id,
		values:   map[string]map[string]float64{statsSplit: vals},
		config:   aggConfig{estimator: meta("estimator"), timesteps: meta("timesteps"), k: meta("K"), stepsS: meta("steps_S")},
	}, nil
}

// errNoColumn marks an absent optional stats column.
var errNoColumn = errors.New("no such column")

// statsValue reads the single value of a float64 or int64 column.
func statsValue(rec arrow.Record, name string) (float64, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return 0, fmt.Errorf("%w: column %q: %w", arrowtab.ErrSchema, name, errNoColumn)
	}
	switch rec.Column(idx[0]).DataType().ID() {
	case arrow.INT64:
		v, err := arrowtab.Int64s(rec, name)
		if err != nil {
			return 0, err
		}
		return float64(v[0]), nil
	default:
		v, err := arrowtab.Float64s(rec, name)
		if err != nil {
			return 0, err
		}
		return v[0], nil
	}
}

// readRuns reads every record of the metrics and stats fan-ins, in stage
// name order.
func readRuns(tables map[string]arrow.Record) (evals, stats []aggRun, err error) {
	names, recs := fanInRecords(tables, "metrics")
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("%w: no metrics inputs (the metrics fan-in matched no stage)", ErrAggregateInput)
	}
	for _, s := range names {
		rv, err := readMetrics(s, recs[s])
		if err != nil {
			return nil, nil, err
		}
		evals = append(evals, rv)
	}
	names, recs = fanInRecords(tables, "stats")
	for _, s := range names {
		rv, err := readStats(s, recs[s])
		if err != nil {
			return nil, nil, err
		}
		stats = append(stats, rv)
	}
	return evals, stats, nil
}
