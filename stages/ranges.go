package stages

import (
	"math"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// Valid ranges of the built-in kinds' numeric params, checked for the whole
// file when it loads (before anything runs) and shown by `pipe stages`. A
// param name means the same thing in every kind (params.go), so one table
// serves them all; kindRanges holds the kinds whose rule is stricter.
var (
	anyNumber  = &pipeline.Range{Min: math.Inf(-1), Max: math.Inf(1)}
	nonNeg     = pipeline.AtLeast(0)
	atLeastOne = pipeline.AtLeast(1)
	unit       = pipeline.Between(0, 1)
)

// paramRanges maps a param name to its range in every kind.
var paramRanges = map[string]*pipeline.Range{
	// seeds; −1 means "the run's seed"
	"seed": nonNeg, "data_seed": nonNeg.Or(-1), "projection_seed": nonNeg,
	"asset_seed": nonNeg.Or(-1), "bootstrap_seed": nonNeg,
	// data sizes (0 = all rows for the max_* limits)
	"max_train": nonNeg, "max_hold": nonNeg, "max_test": nonNeg,
	"n": atLeastOne, "x_dim": atLeastOne.Upto(1 << 20), "y_dim": atLeastOne.Upto(1 << 20),
	"assets": atLeastOne.Upto(10000), "context": anyNumber,
	"alpha": nonNeg.Upto(1e6), // portfolio risk aversion (α = 0: the expected return alone)
	// model sizes
	"hidden": atLeastOne.Upto(1 << 16), "layers": atLeastOne.Upto(1000), "blocks": atLeastOne.Upto(1000),
	"T": atLeastOne.Upto(1e6),
	// training (0 = full batch, no early stop, automatic evaluation period)
	"epochs": nonNeg, "batch": nonNeg, "lr": nonNeg, "weight_decay": nonNeg,
	"mix": unit, "patience": nonNeg, "eval_every": nonNeg,
	// sampling and estimators
	"K": atLeastOne.Upto(1e6), "Ks": atLeastOne.Upto(1e6), "steps": atLeastOne.Upto(1e6),
	"samples": atLeastOne.Upto(1e6), "draws": atLeastOne.Upto(1e6), "contexts": atLeastOne.Upto(1e6),
	"checkpoint": nonNeg, "eta": unit, "etas": unit, "train_eta": unit.Or(-1), "smooth": nonNeg.Or(-1),
	// reporting
	// (a percentile interval needs two replicates; a level is a fraction)
	"bootstrap": pipeline.AtLeast(2), "ci_level": pipeline.Inside(0, 1), "columns": atLeastOne.Upto(100),
	"metric_digits": pipeline.Between(0, 12),
}

// kindRanges overrides paramRanges for one kind ("kind/param").
var kindRanges = map[string]*pipeline.Range{
	"pretrain-diffusion/epochs": atLeastOne, "pretrain-diffusion/batch": atLeastOne,
	"pretrain-gaussian/epochs": atLeastOne, "pretrain-mlp/epochs": atLeastOne,
}

// withLimits returns k with the range of every numeric param that declares
// none filled in from the tables above, and its memory estimate.
func withLimits(k pipeline.Kind) pipeline.Kind {
	ps := make([]pipeline.ParamSpec, len(k.Params))
	copy(ps, k.Params)
	for i := range ps {
		if ps[i].Range != nil {
			continue
		}
		if r, ok := kindRanges[k.Name+"/"+ps[i].Name]; ok {
			ps[i].Range = r
		} else if r, ok := paramRanges[ps[i].Name]; ok && isNumeric(ps[i].Type) {
			ps[i].Range = r
		}
	}
	k.Params = ps
	if k.Memory == nil {
		k.Memory = memoryEstimates[k.Name]
	}
	return k
}

func isNumeric(t pipeline.ParamType) bool {
	return t == pipeline.Int || t == pipeline.Float || t == pipeline.Ints || t == pipeline.Floats
}
