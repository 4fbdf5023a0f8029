package stages

import (
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// Columns of a metrics artifact (the contract with the aggregate kind): one
// row per split.
const (
	ColSplit       = "split"
	ColTaskLoss    = "task_loss"
	ColReturnPct   = "return_pct"
	ColRMSE        = "rmse"
	ColRMSEHourSum = "rmse_hour_sum"
	ColN           = "n"
	ColM           = "m"
)

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
	taskLoss    float64 // mean over examples of the task cost at the true y
	returnPct   float64 // portfolio: 100·mean yᵀz
	rmse        float64 // sqrt(mean over rows, samples, dims of (ŷ − y)²)
	rmseHourSum float64 // power: Σ_h sqrt(mean over rows, samples of (ŷ_h − y_h)²)
	n, m        int
}

// newMetricsRecord builds a metrics artifact; meta must hold MetaTask,
// MetaDataset, MetaMethod and MetaSeed.
func newMetricsRecord(rows []splitMetrics, meta map[string]string) (arrow.Record, error) {
	n := len(rows)
	splits := make([]string, n)
	loss, ret, rmse, hour := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	ns, ms := make([]int64, n), make([]int64, n)
	for i, r := range rows {
		splits[i], loss[i], ret[i], rmse[i], hour[i] = r.split, r.taskLoss, r.returnPct, r.rmse, r.rmseHourSum
		ns[i], ms[i] = int64(r.n), int64(r.m)
	}
	md := map[string]string{artifacts.MetaKind: KindMetrics}
	for _, k := range []string{MetaTask, MetaDataset, MetaMethod, MetaSeed} {
		md[k] = meta[k]
	}
	return artifacts.NewBuilder().String(ColSplit, splits).Float64(ColTaskLoss, loss).
		Float64(ColReturnPct, ret).Float64(ColRMSE, rmse).Float64(ColRMSEHourSum, hour).
		Int64(ColN, ns).Int64(ColM, ms).Record(md)
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
	md := map[string]string{artifacts.MetaKind: KindStats,
		MetaEstimator: est.estimator, MetaTimesteps: est.timesteps,
		MetaK: strconv.Itoa(est.k), MetaStepsS: strconv.Itoa(est.stepsS)}
	for k, v := range meta {
		if k == MetaTask || k == MetaDataset || k == MetaMethod || k == MetaSeed {
			md[k] = v
		}
	}
	f := func(v float64) []float64 { return []float64{v} }
	return artifacts.NewBuilder().Float64(ColSecPerStepMean, f(s.secMean)).
		Float64(ColSecPerStepMedian, f(s.secMedian)).Float64(ColPeakHeapBytes, f(s.peakHeap)).
		Float64(ColEstimatorBytes, f(s.estimatorBytes)).Int64(ColSteps, []int64{int64(s.steps)}).
		Int64(ColBestEpoch, []int64{int64(s.bestEpoch)}).Record(md)
}
