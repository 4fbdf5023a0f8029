package stages

import "github.com/diffusion-dfl/pipe/pipeline"

// tableKinds lists the aggregation and table kinds: aggregate (mean ± std
// over seeds of every evaluation and training run), paper-tables (the
// paper's Table 1 and Table 2 beside our numbers), and tune-select (the
// hold-only learning-rate choice of the tune pipeline), then the figures and
// the report (figure.go).
func tableKinds() []pipeline.Kind {
	return append([]pipeline.Kind{aggregateKind(), paperTablesKind(), tuneSelectKind()}, figureKinds()...)
}
