package stages

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// y normalizations of a diffusion model (param "y_norm").
const (
	YNormNone  = "none"  // the model works on raw targets (reference)
	YNormTrain = "train" // targets standardized with training-row statistics
)

// yNorm maps raw targets to the diffusion model's units, u = (y − mean)/sd
// per dimension. A nil *yNorm is the identity. The portfolio's daily returns
// (sd ≈ 0.02) are tiny against the unit noise of the diffusion (portfolio.md
// §5.9); standardizing them is a documented deviation, off by default.
//
// Gradients carry over exactly: with y = mean + sd⊙u, dL/du = sd⊙dL/dy,
// and log p(y) = log p(u) − Σ log sd, so score-function weights computed on
// raw samples apply unchanged to the ELBO in model units.
type yNorm struct {
	Mean []float64 `json:"mean"`
	SD   []float64 `json:"sd"`
}

// fitYNorm returns the standardization of the rows of y (population sd,
// floored at 1e-12 so a constant column maps to 0).
func fitYNorm(y *mat.Dense) *yNorm {
	r, c := y.Dims()
	n := &yNorm{Mean: make([]float64, c), SD: make([]float64, c)}
	for j := 0; j < c; j++ {
		var s, s2 float64
		for i := 0; i < r; i++ {
			s += y.At(i, j)
		}
		m := s / float64(r)
		for i := 0; i < r; i++ {
			d := y.At(i, j) - m
			s2 += d * d
		}
		n.Mean[j], n.SD[j] = m, math.Max(math.Sqrt(s2/float64(r)), 1e-12)
	}
	return n
}

// metaValue is the model metadata value of n.
func (n *yNorm) metaValue() string {
	if n == nil {
		return metaNone
	}
	b, err := json.Marshal(n)
	if err != nil {
		panic(fmt.Sprintf("stages: encode y normalization: %v", err))
	}
	return string(b)
}

// parseYNorm reads a MetaYNorm value ("" and "none" are the identity).
func parseYNorm(s string) (*yNorm, error) {
	if s == "" || s == metaNone {
		return nil, nil
	}
	var n yNorm
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		return nil, fmt.Errorf("%w: model %s metadata: %v", ErrInput, MetaYNorm, err)
	}
	if len(n.Mean) != len(n.SD) {
		return nil, fmt.Errorf("%w: model %s metadata has %d means and %d sds", ErrInput, MetaYNorm, len(n.Mean), len(n.SD))
	}
	return &n, nil
}

// toModel returns y in model units (float32, a new matrix).
func (n *yNorm) toModel(y *nn.Matrix) *nn.Matrix {
	out := y.Clone()
	if n == nil {
		return out
	}
	for i := 0; i < out.Rows; i++ {
		row := out.Row(i)
		for j, v := range row {
			row[j] = float32((float64(v) - n.Mean[j]) / n.SD[j])
		}
	}
	return out
}

// toRaw returns model-unit samples u in raw units, in float64.
func (n *yNorm) toRaw(u *nn.Matrix) *mat.Dense {
	out := toDense(u)
	if n == nil {
		return out
	}
	raw := out.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			row[j] = n.Mean[j] + n.SD[j]*v
		}
	}
	return out
}

// gradToModel returns dL/du = sd⊙dL/dy for raw-unit gradients dy.
func (n *yNorm) gradToModel(dy *mat.Dense) *nn.Matrix {
	out := toNN(dy)
	if n == nil {
		return out
	}
	for i := 0; i < out.Rows; i++ {
		row := out.Row(i)
		for j, v := range row {
			row[j] = float32(float64(v) * n.SD[j])
		}
	}
	return out
}
