package stages

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Schema metadata keys written by this package's stages. The first four are
// the contract with the tables engineer (metrics and stats artifacts); the
// others describe where a model came from.
const (
	MetaTask    = "task"    // synthetic | power | portfolio
	MetaDataset = "dataset" // dataset label: synthetic, power, portfolio, portfolio-legacy
	MetaMethod  = "method"  // method label, e.g. diffusion-sf
	MetaSeed    = "seed"    // the run's seed (decimal)

	MetaStageKind = "stage.kind"     // the kind that wrote the artifact
	MetaTrainedBy = "trained_by"     // canonical JSON of the producing kind's params
	MetaYNorm     = "y_norm"         // JSON of the y standardization inside a diffusion model, or "none"
	MetaProject   = "policy.project" // "true" when a policy's output is projected onto the feasible set
)

// Artifact kinds (arrowtab.MetaKind) of the records this package writes
// besides datasets and models.
const (
	KindMetrics = "metrics"
	KindStats   = "stats"
	KindCurve   = "curve"
)

// Dataset labels (MetaDataset) and task names (MetaTask).
const (
	TaskSynthetic         = "synthetic"
	TaskPower             = "power"
	TaskPortfolio         = "portfolio"
	LabelPortfolioLegacy  = "portfolio-legacy"
	datasetMetaLabel      = "label"    // key in datasets.Dataset.Meta
	datasetMetaSeed       = "run_seed" // key in datasets.Dataset.Meta
	datasetMetaRowsLimits = "max_rows" // train/hold/test limits applied, when any
	metaTrue              = "true"     // boolean metadata value
	metaFalse             = "false"    // boolean metadata value
	metaNone              = "none"     // absent optional metadata value
	metaEvalSplits        = "eval.splits"
)

// withMeta returns rec with extra schema metadata merged in (extra wins) and
// releases rec. Columns are shared, not copied.
func withMeta(rec arrow.Record, extra map[string]string) arrow.Record {
	md := map[string]string{}
	old := rec.Schema().Metadata()
	for i, k := range old.Keys() {
		md[k] = old.Values()[i]
	}
	for k, v := range extra {
		md[k] = v
	}
	schema := arrow.NewSchema(rec.Schema().Fields(), arrowtab.Metadata(md))
	out := array.NewRecord(schema, rec.Columns(), rec.NumRows())
	rec.Release()
	return out
}

// metaOf returns every schema metadata entry of rec.
func metaOf(rec arrow.Record) map[string]string {
	md := rec.Schema().Metadata()
	out := make(map[string]string, md.Len())
	for i, k := range md.Keys() {
		out[k] = md.Values()[i]
	}
	return out
}

// runMeta is the provenance every model, curve and stats artifact carries.
type runMeta struct {
	task, dataset, method string
	seed                  int
	kind                  string
	params                pipeline.Params
}

// entries returns the metadata map of m: task, dataset, seed, the producing
// kind and its params as canonical JSON (and method when set).
func (m runMeta) entries() (map[string]string, error) {
	trained, err := pipeline.Canonical(map[string]any{"kind": m.kind, "params": map[string]any(m.params)})
	if err != nil {
		return nil, fmt.Errorf("stages: encode params of %s: %w", m.kind, err)
	}
	out := map[string]string{
		MetaTask:      m.task,
		MetaDataset:   m.dataset,
		MetaSeed:      strconv.Itoa(m.seed),
		MetaStageKind: m.kind,
		MetaTrainedBy: string(trained),
	}
	if m.method != "" {
		out[MetaMethod] = m.method
	}
	return out, nil
}

// recordKind returns the arrowtab.MetaKind of rec ("" if none).
func recordKind(rec arrow.Record) string {
	k, _ := arrowtab.Meta(rec, arrowtab.MetaKind)
	return k
}
