package stages

import "github.com/diffusion-dfl/pipe/pipeline"

// figureKinds lists the kinds that draw the paper's figures as PNG
// (figure_*.go; shared palette and layout in figure_draw.go) and the report
// that puts them beside the tables in one HTML page (report.go), with the
// step-cost measurement that Table 2's figure draws against S
// (table2_sweep.go).
func figureKinds() []pipeline.Kind {
	return []pipeline.Kind{figureCurvesKind(), figureTable2Kind(), figureSamplesKind(), figureGradientsKind(), figureAssetsKind(), stepCostKind, reportKind()}
}
