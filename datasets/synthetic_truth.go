package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// SyntheticTruth is the true conditional distribution of the synthetic
// task's y given x (synthetic.md §1): the coordinates are independent given
// x, each y_d = μ₊ + s·ε with probability p_d(x) and μ₋ + s·ε otherwise,
// ε ~ N(0, 1), μ₊ = YScale·APos + YShift, μ₋ = −YScale·BNeg + YShift,
// s = YScale·Sigma. It lets reference rows use the distribution the data
// came from instead of a learned model.
type SyntheticTruth struct {
	opts SyntheticOptions
	w    *mat.Dense // the context projection (nil when Context = 0)
}

// NewSyntheticTruth returns the truth of the data generated with opts (zero
// fields mean the reference's values, as for Synthetic).
func NewSyntheticTruth(opts SyntheticOptions) (*SyntheticTruth, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	s := &SyntheticTruth{opts: opts}
	if opts.Context != 0 {
		s.w = ContextProjection(opts.ProjectionSeed, opts.YDim, opts.XDim)
	}
	return s, nil
}

// SyntheticOptionsFromMeta recovers the generating options from a synthetic
// dataset's Meta as Synthetic writes it. The reference draw
// (LoadSyntheticReference) carries none of them: it is the reference's
// mixture, so the defaults apply. XDim and YDim are the data's widths.
func SyntheticOptionsFromMeta(meta map[string]string, xDim, yDim int) (SyntheticOptions, error) {
	o := SyntheticOptions{XDim: xDim, YDim: yDim}
	for key, dst := range map[string]*float64{"p_pos": &o.PPos, "a_pos": &o.APos, "b_neg": &o.BNeg,
		"sigma": &o.Sigma, "y_scale": &o.YScale, "y_shift": &o.YShift, "context": &o.Context} {
		v, ok := meta[key]
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return o, fmt.Errorf("synthetic metadata %s = %q: %w", key, v, ErrBadData)
		}
		*dst = f
	}
	if v, ok := meta["projection_seed"]; ok {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return o, fmt.Errorf("synthetic metadata projection_seed = %q: %w", v, ErrBadData)
		}
		o.ProjectionSeed = s
	}
	return o, o.defaults()
}

// Components returns μ₊, μ₋ and the noise sd s of every coordinate.
func (s *SyntheticTruth) Components() (muPos, muNeg, sd float64) {
	o := s.opts
	return o.YScale*o.APos + o.YShift, -o.YScale*o.BNeg + o.YShift, o.YScale * o.Sigma
}

// PositiveProb sets dst[d] = p_d(x) = σ(logit(PPos) + Context·(W x)_d), the
// probability of the positive component given the features x.
func (s *SyntheticTruth) PositiveProb(dst, x []float64) {
	if s.w == nil {
		for d := range dst {
			dst[d] = s.opts.PPos
		}
		return
	}
	logit := math.Log(s.opts.PPos / (1 - s.opts.PPos))
	for d := range dst {
		wx := 0.0
		for j, v := range s.w.RawRowView(d) {
			wx += v * x[j]
		}
		dst[d] = 1 / (1 + math.Exp(-(logit + s.opts.Context*wx)))
	}
}

// Sample draws one y given the positive-component probabilities prob.
func (s *SyntheticTruth) Sample(dst, prob []float64, rng *rand.Rand) {
	muPos, muNeg, sd := s.Components()
	for d, p := range prob {
		mu := muNeg
		if rng.Float64() < p {
			mu = muPos
		}
		dst[d] = mu + sd*rng.NormFloat64()
	}
}

// ExpectedExpFactor returns E exp(−y_d z) for one coordinate with positive
// probability p: exp(s²z²/2)·(p·exp(−μ₊z) + (1 − p)·exp(−μ₋z)). The
// expected allocation cost E exp(−yᵀz | x) is the product over d.
func (s *SyntheticTruth) ExpectedExpFactor(p, z float64) float64 {
	muPos, muNeg, sd := s.Components()
	return math.Exp(sd*sd*z*z/2) * (p*math.Exp(-muPos*z) + (1-p)*math.Exp(-muNeg*z))
}

// Dims returns the widths of x and y.
func (s *SyntheticTruth) Dims() (xDim, yDim int) { return s.opts.XDim, s.opts.YDim }

// Contextual reports whether y depends on x (Context ≠ 0).
func (s *SyntheticTruth) Contextual() bool { return s.w != nil }
