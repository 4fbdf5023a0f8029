package stages

import "github.com/diffusion-dfl/pipe/pipeline"

// Lower bounds of the memory a stage needs at its peak, from its params
// alone (the data's size is not known when the file loads). They exist to
// refuse absurd sizes (n: 2000000000) at load time with the param to lower,
// instead of a runtime out-of-memory crash; they are not capacity planning.
// Widths that come from an upstream model are taken as minWidth.

// float64 bytes, and parameter copies kept by Adam (weights, gradient, m, v).
const (
	f64      = 8
	adamCopy = 4
	minWidth = 64
)

// memoryEstimates maps a kind to its estimate.
var memoryEstimates = map[string]func(p pipeline.Params) (float64, []string){
	"data-synthetic":      syntheticMemory,
	"pretrain-diffusion":  denoiserMemory,
	"pretrain-gaussian":   mlpMemory,
	"pretrain-mlp":        mlpMemory,
	"policy":              mlpMemory,
	"dfl-diffusion":       chainMemory,
	"gradient-diagnostic": diagnosticMemory,
}

// syntheticMemory: the n × (x_dim + y_dim) table, generated and then copied
// into the dataset.
func syntheticMemory(p pipeline.Params) (float64, []string) {
	cells := float64(p.Int("n")) * float64(p.Int("x_dim")+p.Int("y_dim"))
	return 2 * cells * f64, []string{"n", "x_dim", "y_dim"}
}

// denoiserMemory: blocks hidden × hidden layers with Adam's copies, and a
// batch's activations through them.
func denoiserMemory(p pipeline.Params) (float64, []string) {
	h, b := float64(p.Int("hidden")), float64(p.Int("blocks"))
	return (h*h*b*adamCopy + float64(p.Int("batch"))*h*b*adamCopy) * f64, []string{"hidden", "blocks", "batch"}
}

// mlpMemory: layers hidden × hidden weights with Adam's copies.
func mlpMemory(p pipeline.Params) (float64, []string) {
	h := float64(p.Int("hidden"))
	return h * h * float64(p.Int("layers")) * adamCopy * f64, []string{"hidden", "layers"}
}

// chainMemory: a minibatch's batch × samples sampling chains; the
// reparameterized estimator without checkpoints keeps every step's
// activations (at least minWidth numbers per row and step).
func chainMemory(p pipeline.Params) (float64, []string) {
	kept := 1
	if p.String("estimator") == EstimatorRP {
		kept = p.Int("steps")
		if c := p.Int("checkpoint"); c > 0 {
			kept = min(c, kept)
		}
	}
	rows := float64(max(p.Int("batch"), 1)) * float64(p.Int("samples"))
	return rows * float64(kept) * minWidth * f64, []string{"batch", "samples", "steps"}
}

// diagnosticMemory: contexts × samples chains of steps steps.
func diagnosticMemory(p pipeline.Params) (float64, []string) {
	rows := float64(p.Int("contexts")) * float64(p.Int("samples"))
	return rows * float64(p.Int("steps")) * minWidth * f64, []string{"contexts", "samples", "steps"}
}
