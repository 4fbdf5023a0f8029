package stages

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Columns of a metrics artifact (the contract with the aggregate kind): one
// row per split.
const (
	ColSplit         = "split"
	ColTaskLoss      = "task_loss"
	ColTaskLossMCSE  = "task_loss_mc_se" // Monte-Carlo standard error of task_loss over draws
	ColReturnPct     = "return_pct"
	ColReturnPctMCSE = "return_pct_mc_se" // Monte-Carlo standard error of return_pct over draws
	ColSharpe        = "sharpe"           // portfolio: annualized Sharpe ratio of the daily returns
	ColEffAssets     = "eff_assets"       // portfolio: effective number of assets 1/Σz², mean over days
	ColRMSE          = "rmse"
	ColRMSEHourSum   = "rmse_hour_sum"
	ColN             = "n"
	ColM             = "m"
	ColDraws         = "draws"  // R, evaluation draws of M samples per context
	ColUnit          = "unit"   // units artifact: the row's index within its split
	mcSESuffix       = "_mc_se" // a metric's Monte-Carlo error column is metric + mcSESuffix
)

// MetaModelDataset is the metadata of a metrics or units artifact naming
// the dataset label the evaluated model was trained on, when it differs
// from the evaluation's (say a model trained on synthetic-context and
// evaluated at M = 512 as synthetic-context-m512): the tables find the
// DFL run's selected epochs under it.
const MetaModelDataset = "model_dataset"

// KindUnits is the kind metadata of a per-unit artifact: one row per split
// and evaluation unit (a context, or a day of the portfolio).
const KindUnits = "units"

// Columns of a stats artifact: one row.
const (
	ColSecPerStepMean   = "sec_per_step_mean"
	ColSecPerStepMedian = "sec_per_step_median"
	ColPeakHeapBytes    = "peak_heap_bytes"
	ColEstimatorBytes   = "estimator_bytes"
	ColSteps            = "steps"
	ColBestEpoch        = "best_epoch"
)

// Extra metadata of a stats artifact.
const (
	MetaEstimator = "estimator"
	MetaTimesteps = "timesteps"
	MetaK         = "K"
	MetaStepsS    = "steps_S"
)

// splitMetrics is one row of a metrics artifact. Values that do not apply to
// the task are NaN.
type splitMetrics struct {
	split       string
	taskLoss    float64 // mean over draws and examples of the task cost at the true y
	taskLossSE  float64 // Monte-Carlo standard error of taskLoss over draws
	returnPct   float64 // portfolio: 100·mean yᵀz
	returnPctSE float64 // Monte-Carlo standard error of returnPct over draws
	sharpe      float64 // portfolio: √252·mean/sd of daily returns, mean over draws
	effAssets   float64 // portfolio: mean over days of 1/Σz², mean over draws
	rmse        float64 // sqrt(mean over rows, samples, dims of (ŷ − y)²)
	rmseHourSum float64 // power: Σ_h sqrt(mean over rows, samples of (ŷ_h − y_h)²)
	n, m, draws int
	// unitLoss and unitReturn are each unit's cost and return in % (NaN
	// off the portfolio), averaged over draws.
	unitLoss, unitReturn []float64
}

// metricsOutputs builds the metrics and units artifacts of an evaluation.
func metricsOutputs(rows []splitMetrics, meta map[string]string) (pipeline.Outputs, error) {
	rec, err := newMetricsRecord(rows, meta)
	if err != nil {
		return nil, err
	}
	units, err := newUnitsRecord(rows, meta)
	if err != nil {
		rec.Release()
		return nil, err
	}
	return pipeline.Outputs{"metrics": rec, "units": units}, nil
}

// newUnitsRecord builds a units artifact: one row per split and unit.
func newUnitsRecord(rows []splitMetrics, meta map[string]string) (arrow.Record, error) {
	var splits []string
	var units []int64
	var loss, ret []float64
	for _, r := range rows {
		if len(r.unitLoss) != r.n || len(r.unitReturn) != r.n {
			return nil, fmt.Errorf("%w: split %s has %d unit losses and %d returns for %d units", ErrNumeric, r.split, len(r.unitLoss), len(r.unitReturn), r.n)
		}
		for i := range r.unitLoss {
			splits, units = append(splits, r.split), append(units, int64(i))
		}
		loss, ret = append(loss, r.unitLoss...), append(ret, r.unitReturn...)
	}
	md := map[string]string{arrowtab.MetaKind: KindUnits}
	copyRunMeta(md, meta)
	return arrowtab.NewBuilder().String(ColSplit, splits).Int64(ColUnit, units).
		Float64(ColTaskLoss, loss).Float64(ColReturnPct, ret).Record(md)
}

// newMetricsRecord builds a metrics artifact; meta must hold MetaTask,
// MetaDataset, MetaMethod and MetaSeed.
func newMetricsRecord(rows []splitMetrics, meta map[string]string) (arrow.Record, error) {
	n := len(rows)
	splits := make([]string, n)
	loss, ret, rmse, hour := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	lossSE, retSE, sharpe, eff := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	ns, ms, ds := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, r := range rows {
		splits[i], loss[i], ret[i], rmse[i], hour[i] = r.split, r.taskLoss, r.returnPct, r.rmse, r.rmseHourSum
		lossSE[i], retSE[i], sharpe[i], eff[i] = r.taskLossSE, r.returnPctSE, r.sharpe, r.effAssets
		ns[i], ms[i], ds[i] = int64(r.n), int64(r.m), int64(r.draws)
	}
	md := map[string]string{arrowtab.MetaKind: KindMetrics}
	copyRunMeta(md, meta)
	return arrowtab.NewBuilder().String(ColSplit, splits).Float64(ColTaskLoss, loss).
		Float64(ColTaskLossMCSE, lossSE).Float64(ColReturnPct, ret).Float64(ColReturnPctMCSE, retSE).
		Float64(ColSharpe, sharpe).Float64(ColEffAssets, eff).Float64(ColRMSE, rmse).Float64(ColRMSEHourSum, hour).
		Int64(ColN, ns).Int64(ColM, ms).Int64(ColDraws, ds).Record(md)
}

// copyRunMeta copies a run's metadata (task, dataset, method, seed, and
// the model's dataset when given and different) into md.
func copyRunMeta(md, meta map[string]string) {
	for _, k := range []string{MetaTask, MetaDataset, MetaMethod, MetaSeed} {
		md[k] = meta[k]
	}
	if v := meta[MetaModelDataset]; v != "" && v != meta[MetaDataset] {
		md[MetaModelDataset] = v
	}
}

// trainStats is what a DFL stage measured about its training steps.
type trainStats struct {
	secMean, secMedian float64
	peakHeap           float64 // bytes of Go heap above the step's start, peak over measured steps
	estimatorBytes     float64 // activation bytes held by the estimator (NaN when not tracked)
	steps, bestEpoch   int
}

// estimatorMeta describes the estimator in a stats artifact.
type estimatorMeta struct {
	estimator, timesteps string
	k, stepsS            int
}

// newStatsRecord builds a stats artifact with the run's metadata.
func newStatsRecord(s trainStats, est estimatorMeta, meta map[string]string) (arrow.Record, error) {
	md := map[string]string{arrowtab.MetaKind: KindStats,
		MetaEstimator: est.estimator, MetaTimesteps: est.timesteps,
		MetaK: strconv.Itoa(est.k), MetaStepsS: strconv.Itoa(est.stepsS)}
	for k, v := range meta {
		if k == MetaTask || k == MetaDataset || k == MetaMethod || k == MetaSeed {
			md[k] = v
		}
	}
	f := func(v float64) []float64 { return []float64{v} }
	return arrowtab.NewBuilder().Float64(ColSecPerStepMean, f(s.secMean)).
		Float64(ColSecPerStepMedian, f(s.secMedian)).Float64(ColPeakHeapBytes, f(s.peakHeap)).
		Float64(ColEstimatorBytes, f(s.estimatorBytes)).Int64(ColSteps, []int64{int64(s.steps)}).
		Int64(ColBestEpoch, []int64{int64(s.bestEpoch)}).Record(md)
}
