package stages

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/solver"
)

// sampleRows bounds the rows of one sampling call (contexts × samples), so
// evaluating a whole split does not tile its features thousands of times at
// once (portfolio x has 1400 columns). Fixed, so the random draws — and the
// results — do not depend on anything but the seed.
const sampleRows = 4096

// predictor is a trained model of any architecture, as read from a model
// artifact: a diffusion model (with its y normalization), a Gaussian, a
// point predictor or a policy.
type predictor struct {
	arch    string
	diff    *model.Diffusion
	norm    *yNorm
	gauss   *model.Gaussian
	point   *model.Point
	policy  *model.Policy
	project bool // policy: project z onto the feasible set
	meta    map[string]string
}

// loadPredictor rebuilds the model of a model artifact.
func loadPredictor(rec arrow.Record) (*predictor, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: input model is missing", ErrInput)
	}
	meta := metaOf(rec)
	p := &predictor{arch: meta[nn.MetaArch], meta: meta}
	var err error
	switch p.arch {
	case nn.ArchDenoiser:
		if p.diff, err = model.DiffusionFromRecord(rec); err == nil {
			p.norm, err = parseYNorm(meta[MetaYNorm])
		}
	case model.ArchGaussian:
		p.gauss, err = model.GaussianFromRecord(rec)
	case model.ArchPoint:
		p.point, err = model.PointFromRecord(rec)
	case model.ArchPolicy:
		p.policy, err = model.PolicyFromRecord(rec)
		p.project = meta[MetaProject] == metaTrue
	default:
		return nil, fmt.Errorf("%w: model architecture %q (want a diffusion, Gaussian, point or policy model)", ErrInput, p.arch)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: model: %w", ErrInput, err)
	}
	return p, nil
}

// checkTask reports a model trained for another task or other widths.
func (p *predictor) checkTask(t *task) error {
	if got := p.meta[MetaTask]; got != "" && got != t.name {
		return fmt.Errorf("%w: the model was trained on the %s task, the data is %s", ErrInput, got, t.name)
	}
	dx, dy := t.dims()
	var mx, my int
	switch {
	case p.diff != nil:
		mx, my = p.diff.Net.XDim(), p.diff.Net.YDim()
	case p.gauss != nil:
		mx, my = p.gauss.Config.XDim, p.gauss.Config.YDim
	case p.point != nil:
		mx, my = p.point.Config.XDim, p.point.Config.YDim
	case p.policy != nil:
		mx, my = p.policy.Config.XDim, p.policy.Config.ZDim
	}
	if mx != dx || my != dy {
		return fmt.Errorf("%w: the model maps %d features to %d outputs, the data has %d and %d", ErrInput, mx, my, dx, dy)
	}
	return nil
}

// stochastic reports whether the model draws samples (diffusion, Gaussian).
func (p *predictor) stochastic() bool { return p.diff != nil || p.gauss != nil }

// sample returns m samples per context of x in raw units (row b·m + j =
// sample j of context b); a point model returns its prediction once
// (m is then 1), which sample reports as its second result.
func (p *predictor) sample(ctx context.Context, x *nn.Matrix, m int, cfg model.Sampler, rng *rand.Rand) (*mat.Dense, int, error) {
	switch {
	case p.point != nil:
		return toDense(p.point.Forward(x, nil)), 1, nil
	case p.policy != nil:
		panic("stages: a policy has no samples")
	}
	per := max(1, sampleRows/m)
	var parts []*mat.Dense
	for lo := 0; lo < x.Rows; lo += per {
		xb := sliceRows(x, lo, min(lo+per, x.Rows))
		var y *mat.Dense
		if p.gauss != nil {
			y = toDense(p.gauss.Sample(xb, m, rng))
		} else {
			u, err := p.diff.Sample(ctx, xb, m, cfg, rng)
			if err != nil {
				return nil, 0, err
			}
			y = p.norm.toRaw(u)
		}
		parts = append(parts, y)
	}
	return stackDense(parts), m, nil
}

// decide returns the policy's decision for each row of x: its output,
// projected onto the task's feasible set when the policy was trained so.
func (p *predictor) decide(ctx context.Context, t *task, x *nn.Matrix) ([][]float64, error) {
	z := toDense(p.policy.Forward(x, nil))
	out := make([][]float64, x.Rows)
	for i := range out {
		out[i] = append([]float64(nil), z.RawRowView(i)...)
		if p.project {
			sol, err := solver.Project(ctx, t.prob, out[i], nil)
			if err != nil {
				return nil, fmt.Errorf("%w: projecting the policy's decision %d: %w", ErrNumeric, i, err)
			}
			out[i] = sol.Z
		}
	}
	return out, nil
}

// stackDense stacks matrices with equal column counts.
func stackDense(parts []*mat.Dense) *mat.Dense {
	if len(parts) == 1 {
		return parts[0]
	}
	rows, cols := 0, 0
	for _, p := range parts {
		r, c := p.Dims()
		rows, cols = rows+r, c
	}
	out := mat.NewDense(rows, cols, nil)
	at := 0
	for _, p := range parts {
		r, _ := p.Dims()
		out.Slice(at, at+r, 0, cols).(*mat.Dense).Copy(p)
		at += r
	}
	return out
}
