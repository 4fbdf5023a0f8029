package stages

import "github.com/diffusion-dfl/pipe/pipeline"

// kinds lists the built-in kinds of the training and evaluation stages;
// tableKinds (tables_register.go) adds aggregation and the paper's tables.
var kinds = []pipeline.Kind{
	dataSyntheticKind, dataPowerKind, dataPortfolioKind,
	pretrainDiffusionKind, pretrainGaussianKind, pretrainMLPKind,
	dflDiffusionKind, dflGaussianKind, dflMLPKind, policyKind,
	evaluateKind, hindsightKind, gradientDiagnosticKind, referenceKind,
}

// Register adds every built-in kind of this package to r.
func Register(r *pipeline.Registry) error {
	for _, k := range append(append([]pipeline.Kind(nil), kinds...), tableKinds()...) {
		if err := r.Register(withLimits(k)); err != nil {
			return err
		}
	}
	return nil
}
