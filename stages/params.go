package stages

import (
	"fmt"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// Random streams. Every stage draws from rand.New(rand.NewPCG(seed, stream))
// with one stream per purpose, so that, for example, changing how often the
// hold split is evaluated does not change the training draws.
const (
	streamInit     uint64 = 1 // network initialization
	streamTrain    uint64 = 2 // minibatch order, samples and noise of training steps
	streamHold     uint64 = 3 // hold-split evaluation during training (common random numbers)
	streamEval     uint64 = 4 // the evaluate stage (plus the split's index)
	streamData     uint64 = 5 // synthetic data generation
	streamPretrain uint64 = 6 // pretraining's hold-loss draws
)

// newRNG returns the generator of a seed and stream.
func newRNG(seed int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// Shared parameter specs: the same name means the same thing in every kind.
func seedParam(doc string) pipeline.ParamSpec {
	return pipeline.ParamSpec{Name: "seed", Type: pipeline.Int, Default: 0, Doc: doc}
}

func methodParam() pipeline.ParamSpec {
	return pipeline.ParamSpec{Name: "method", Type: pipeline.String, Default: "",
		Doc: "method label copied into the metadata of the outputs (e.g. diffusion-sf; \"\" = the kind's natural label); the tables group results by it"}
}

// methodLabel returns the method param, or def when it is empty.
func methodLabel(p pipeline.Params, def string) string {
	if m := p.String("method"); m != "" {
		return m
	}
	return def
}

func intParam(name string, def int, doc string) pipeline.ParamSpec {
	return pipeline.ParamSpec{Name: name, Type: pipeline.Int, Default: def, Doc: doc}
}

func floatParam(name string, def float64, doc string) pipeline.ParamSpec {
	return pipeline.ParamSpec{Name: name, Type: pipeline.Float, Default: def, Doc: doc}
}

func boolParam(name string, def bool, doc string) pipeline.ParamSpec {
	return pipeline.ParamSpec{Name: name, Type: pipeline.Bool, Default: def, Doc: doc}
}

func enumParam(name, def, doc string, values ...string) pipeline.ParamSpec {
	return pipeline.ParamSpec{Name: name, Type: pipeline.String, Default: def, Doc: doc, Enum: values}
}

// decisionParams are the params of every kind that solves the decision
// problem during training: the decision rule and the gradient forms.
func decisionParams() []pipeline.ParamSpec {
	return []pipeline.ParamSpec{
		enumParam("decision", DecisionPerX, "per_x: one stochastic program per context; pooled: one per minibatch or split, as the reference's synthetic task", DecisionPerX, DecisionPooled),
		enumParam("gradients", GradientsExact, "exact KKT derivatives, or the reference's forms (averaged/transposed mixed derivative, H = I at power kinks, portfolio K + 1e-6·I)", GradientsExact, GradientsReference),
		floatParam("smooth", -1, "barrier smoothing δ of the decision derivative in the units of y (solver DiffOptions.Smooth); −1 = task default (portfolio 1e-3, otherwise 0 = exact)"),
	}
}

// trainParams are the optimizer and selection params of every DFL kind.
func trainParams(epochs, batch int, lr, mix float64, mixScale string) []pipeline.ParamSpec {
	return []pipeline.ParamSpec{
		intParam("epochs", epochs, "training epochs over the train split"),
		intParam("batch", batch, "contexts per minibatch (training step)"),
		floatParam("lr", lr, "Adam learning rate"),
		floatParam("mix", mix, "weight α of the decision gradient in the gradient-norm mixing with the regularizer (1 = decision gradient only, unscaled)"),
		enumParam("mix_scale", mixScale, "which gradient is rescaled to the other's norm: den = the decision gradient to the regularizer's (synthetic, portfolio), dfl = the regularizer to the decision gradient's (power)", "den", "dfl"),
		intParam("patience", 0, "stop after this many epochs without a better hold task loss (0 = run every epoch)"),
		seedParam("seed of the run: minibatch order, samples, noise"),
		methodParam(),
	}
}

// specs concatenates parameter lists.
func specs(lists ...[]pipeline.ParamSpec) []pipeline.ParamSpec {
	var out []pipeline.ParamSpec
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// positive returns an error naming the param unless every value is ≥ 1.
func positive(p pipeline.Params, names ...string) error {
	for _, n := range names {
		if v := p.Int(n); v < 1 {
			return fmt.Errorf("%w: %s = %d, want ≥ 1", ErrParam, n, v)
		}
	}
	return nil
}

// nonNegative returns an error naming the param unless every value is ≥ 0.
func nonNegative(p pipeline.Params, names ...string) error {
	for _, n := range names {
		if v := p.Float(n); !(v >= 0) {
			return fmt.Errorf("%w: %s = %g, want ≥ 0", ErrParam, n, v)
		}
	}
	return nil
}
