package stages

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/solver"
)

// KindGradientCosine is the artifact kind of the gradient diagnostic's table.
const KindGradientCosine = "gradient_cosine"

// Random streams of the gradient diagnostic, apart from params.go's so that
// they never collide with a training stream.
const (
	streamDiagBatch   uint64 = 40 // the contexts and the samples of the batch
	streamDiagReplica uint64 = 41 // score-function replicate r uses 41 + r
)

// Noise and weight settings of the diagnostic's score-function rows.
const (
	NoiseShared      = "shared"
	NoiseIndependent = "independent"
	WeightsRaw       = "raw"
	WeightsCentered  = "centered"
)

var gradientDiagnosticKind = pipeline.Kind{
	Name: "gradient-diagnostic",
	Doc: "How well the score-function (SF) gradient points along the reparameterization (RP) gradient for a " +
		"diffusion model (or, as a control, a Gaussian model, whose score is exact). Draws M samples per " +
		"context for a seeded batch of training contexts through a differentiable DDIM chain per η in etas, " +
		"solves and differentiates the programs, and back-propagates the RP gradient; then, on the same samples " +
		"and KKT weights, computes two independent SF replicates per K, timestep sampler (uniform, or importance " +
		"with a sampler warmed on the batch's own ELBO losses), noise (shared across a context's samples or " +
		"independent) and weights (raw, or centered per program: the mean-weight baseline). One row per " +
		"configuration: cos_rp (mean over the replicates of cos(SF_r, RP)), cos_rp_pair (cos of the replicates' " +
		"mean with RP), split_half (cos(SF_1, SF_2), the SF's reliability), cos_rp_corrected = cos_rp/√split_half " +
		"(the cosine an infinitely repeated SF would reach: below 1 means bias, not variance), norm_ratio " +
		"‖SF_1‖/‖RP‖ and weight_sum (mean over programs of |Σw|/Σ|w|). Test rows are never used.",
	Params: specs([]pipeline.ParamSpec{
		seedParam("seed of the contexts, samples and SF draws"),
		intParam("contexts", 64, "B, training contexts in the batch (a seeded subset of the train split)"),
		intParam("samples", 16, "M, samples per context"),
		intParam("steps", 20, "DDIM sampling steps S"),
		{Name: "etas", Type: pipeline.Floats, Default: []any{0.0, 1.0}, Doc: "DDIM η of each sampler compared (the configured one, and 1 = DDPM's ancestral variance)"},
		intParam("checkpoint", 0, "RP: sampling steps per checkpoint segment (0 = keep every step; set it for large S)"),
		{Name: "Ks", Type: pipeline.Ints, Default: []any{1, 10, 100}, Doc: "SF: ELBO timesteps per sample"},
		{Name: "timesteps", Type: pipeline.Strings, Default: []any{TimestepsUniform, TimestepsImportance}, Doc: "SF timestep samplers: uniform, importance"},
		enumParam("importance_variant", ImportancePlain, "importance sampling: plain or self_normalized (as dfl-diffusion)", ImportancePlain, ImportanceSelfNormal),
		{Name: "noise", Type: pipeline.Strings, Default: []any{NoiseShared, NoiseIndependent}, Doc: "SF noise: shared across a context's M samples, or independent"},
		{Name: "weights", Type: pipeline.Strings, Default: []any{WeightsRaw}, Doc: "SF weights: raw KKT weights, and/or centered per program (the mean baseline; weight_sum says how much it removes)"},
	}, decisionParams()),
	Inputs: []pipeline.PortSpec{
		{Name: "data", Doc: "a dataset artifact"},
		{Name: "model", Doc: "a diffusion or Gaussian model of that dataset (pretrained or trained)"},
	},
	Outputs: []pipeline.PortSpec{
		{Name: "cosines", Doc: "one row per configuration: sampler, eta, K, timesteps, noise, weights, cos_rp, cos_rp_pair, split_half, cos_rp_corrected, norm_ratio, weight_sum, seconds; metadata task, dataset, seed"},
	},
	Run: runGradientDiagnostic,
}

// cosineRow is one row of the diagnostic's table.
type cosineRow struct {
	sampler, timesteps, noise, weights string
	eta                                float64
	k                                  int
	cosRP, cosPair, splitHalf          float64
	normRatio, weightSum, seconds      float64
}

// runGradientDiagnostic is the Run function of the gradient-diagnostic kind.
func runGradientDiagnostic(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	t, pred, err := loadTaskModel(in)
	if err != nil {
		return nil, err
	}
	if err := positive(p, "contexts", "samples", "steps"); err != nil {
		return nil, err
	}
	rule, err := newDecisionRule(t, p.String("decision"), p.String("gradients"), p.Float("smooth"))
	if err != nil {
		return nil, err
	}
	train := t.split(datasets.Train)
	if err := train.needRows("the gradient diagnostic"); err != nil {
		return nil, err
	}
	rng := newRNG(p.Int("seed"), streamDiagBatch)
	perm := rng.Perm(train.n())
	b := train.rows(perm[:min(p.Int("contexts"), len(perm))])
	var rows []cosineRow
	switch {
	case pred.diff != nil:
		g := &gradProbe{t: t, d: pred.diff, norm: pred.norm, rule: rule, m: p.Int("samples"), variant: p.String("importance_variant"), ps: pred.diff.Net.Params()}
		rows, err = diffusionCosines(ctx, g, b, p, rng, r)
	case pred.gauss != nil:
		rows, err = gaussianCosines(ctx, t, pred.gauss, rule, b, p.Int("samples"), rng)
	default:
		return nil, fmt.Errorf("%w: the gradient diagnostic needs a diffusion or Gaussian model, the input is %q", ErrInput, pred.arch)
	}
	if err != nil {
		return nil, err
	}
	meta := map[string]string{arrowtab.MetaKind: KindGradientCosine, MetaTask: t.name, MetaDataset: resultLabel(t, p),
		MetaSeed: strconv.Itoa(p.Int("seed")), MetaStageKind: "gradient-diagnostic"}
	rec, err := cosineRecord(rows, meta)
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"cosines": rec}, nil
}

// diffusionCosines runs every configuration of p on the batch b, sampler
// by sampler.
func diffusionCosines(ctx context.Context, g *gradProbe, b *split, p pipeline.Params, rng *rand.Rand, r pipeline.Reporter) ([]cosineRow, error) {
	probes, err := sfProbes(p)
	if err != nil {
		return nil, err
	}
	var rows []cosineRow
	for _, eta := range p.Floats("etas") {
		sampler := model.Sampler{Steps: p.Int("steps"), Eta: eta}
		pb, err := g.draw(ctx, b, sampler, p.Int("checkpoint"), rng)
		if err != nil {
			return nil, fmt.Errorf("sampler η = %g: %w", eta, err)
		}
		var warm *model.LossSecondMoment
		for _, c := range probes {
			if c.importance && warm == nil {
				if warm, err = g.warmSampler(ctx, b, pb, rng); err != nil {
					return nil, err
				}
			}
			row, err := g.compare(ctx, b, pb, c, warm, p.Int("seed"))
			if err != nil {
				return nil, fmt.Errorf("sampler η = %g, K = %d: %w", eta, c.k, err)
			}
			row.sampler, row.eta = fmt.Sprintf("ddim-eta%g", eta), eta
			r.Logf("η %g K %d %s %s %s: cos(SF, RP) %.3f, split-half %.3f, corrected %.3f, ‖SF‖/‖RP‖ %.3g (%.1fs)",
				eta, c.k, row.timesteps, row.noise, row.weights, row.cosRP, row.splitHalf, corrected(row), row.normRatio, row.seconds)
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// compare computes two SF replicates of configuration c and their cosines.
func (g *gradProbe) compare(ctx context.Context, b *split, pb *probeBatch, c sfProbe, warm *model.LossSecondMoment, seed int) (cosineRow, error) {
	start := time.Now()
	var reps [2][]float32
	for i := range reps {
		var err error
		if reps[i], err = g.sfGrad(ctx, b, pb, c, warm, newRNG(seed, streamDiagReplica+uint64(i))); err != nil {
			return cosineRow{}, err
		}
	}
	row := cosineRow{k: c.k, timesteps: TimestepsUniform, noise: NoiseIndependent, weights: WeightsRaw,
		cosRP:     (cosine(reps[0], pb.rp) + cosine(reps[1], pb.rp)) / 2,
		cosPair:   cosine(meanGrad(reps[0], reps[1]), pb.rp),
		splitHalf: cosine(reps[0], reps[1]), normRatio: norm2(reps[0]) / norm2(pb.rp), weightSum: pb.sumFrac}
	if c.importance {
		row.timesteps = TimestepsImportance
	}
	if c.shared {
		row.noise = NoiseShared
	}
	if c.centered {
		row.weights = WeightsCentered
	}
	row.seconds = time.Since(start).Seconds()
	return row, nil
}

// sfProbes lists the score-function configurations of p: every K, timestep
// sampler, noise and weight setting.
func sfProbes(p pipeline.Params) ([]sfProbe, error) {
	var out []sfProbe
	for _, k := range p.Ints("Ks") {
		if k < 1 {
			return nil, fmt.Errorf("%w: Ks holds %d, want ≥ 1", ErrParam, k)
		}
		for _, ts := range p.Strings("timesteps") {
			for _, noise := range p.Strings("noise") {
				for _, w := range p.Strings("weights") {
					if err := checkProbe(ts, noise, w); err != nil {
						return nil, err
					}
					out = append(out, sfProbe{k: k, importance: ts == TimestepsImportance, shared: noise == NoiseShared, centered: w == WeightsCentered})
				}
			}
		}
	}
	return out, nil
}

func checkProbe(ts, noise, w string) error {
	switch {
	case ts != TimestepsUniform && ts != TimestepsImportance:
		return fmt.Errorf("%w: timesteps holds %q, want %s or %s", ErrParam, ts, TimestepsUniform, TimestepsImportance)
	case noise != NoiseShared && noise != NoiseIndependent:
		return fmt.Errorf("%w: noise holds %q, want %s or %s", ErrParam, noise, NoiseShared, NoiseIndependent)
	case w != WeightsRaw && w != WeightsCentered:
		return fmt.Errorf("%w: weights holds %q, want %s or %s", ErrParam, w, WeightsRaw, WeightsCentered)
	}
	return nil
}

// corrected is cos_rp/√split_half, NaN when the split half is not positive.
func corrected(r cosineRow) float64 {
	if !(r.splitHalf > 0) {
		return math.NaN()
	}
	return r.cosRP / math.Sqrt(r.splitHalf)
}

// gaussianCosines compares the Gaussian model's exact-score SF gradient
// with its RP gradient on the same samples (raw and centered weights).
func gaussianCosines(ctx context.Context, t *task, g *model.Gaussian, rule *decisionRule, b *split, m int, rng *rand.Rand) ([]cosineRow, error) {
	ps := g.Params()
	draw := g.SampleReparam(b.x, m, rng)
	dec, err := rule.solve(ctx, toDense(draw.Samples()), b.n(), m)
	if err != nil {
		return nil, err
	}
	sens, err := dec.differentiate(ctx, dec.upstream(b.y), solver.WantAll)
	if err != nil {
		return nil, err
	}
	nn.ZeroGrad(ps)
	if err := draw.Backward(toNN(sens.dy)); err != nil {
		return nil, err
	}
	rp := nn.SnapshotGrads(ps, nil)
	group := m
	if rule.pooled {
		group = len(sens.weights)
	}
	var rows []cosineRow
	for _, centered := range []bool{false, true} {
		w, label := sens.weights, WeightsRaw
		if centered {
			w, label = model.CenterWeights(w, group), WeightsCentered
		}
		nn.ZeroGrad(ps)
		if _, err := g.ScoreFunction(b.x, draw.Samples(), w, model.GaussianSF{Scale: sens.scale}); err != nil {
			return nil, err
		}
		sf := nn.SnapshotGrads(ps, nil)
		c := cosine(sf, rp)
		rows = append(rows, cosineRow{sampler: "gaussian", timesteps: "exact", noise: "none", weights: label,
			cosRP: c, cosPair: c, splitHalf: 1, normRatio: norm2(sf) / norm2(rp), weightSum: weightSumFraction(sens.weights, group)})
	}
	return rows, nil
}

// cosineRecord builds the diagnostic's table.
func cosineRecord(rows []cosineRow, meta map[string]string) (arrow.Record, error) {
	n := len(rows)
	str := func(f func(cosineRow) string) []string { return column(rows, f) }
	num := func(f func(cosineRow) float64) []float64 { return column(rows, f) }
	ks := make([]int64, n)
	for i, r := range rows {
		ks[i] = int64(r.k)
	}
	return arrowtab.NewBuilder().
		String("sampler", str(func(r cosineRow) string { return r.sampler })).
		Float64("eta", num(func(r cosineRow) float64 { return r.eta })).
		Int64("K", ks).
		String("timesteps", str(func(r cosineRow) string { return r.timesteps })).
		String("noise", str(func(r cosineRow) string { return r.noise })).
		String("weights", str(func(r cosineRow) string { return r.weights })).
		Float64("cos_rp", num(func(r cosineRow) float64 { return r.cosRP })).
		Float64("cos_rp_pair", num(func(r cosineRow) float64 { return r.cosPair })).
		Float64("split_half", num(func(r cosineRow) float64 { return r.splitHalf })).
		Float64("cos_rp_corrected", num(corrected)).
		Float64("norm_ratio", num(func(r cosineRow) float64 { return r.normRatio })).
		Float64("weight_sum", num(func(r cosineRow) float64 { return r.weightSum })).
		Float64("seconds", num(func(r cosineRow) float64 { return r.seconds })).
		Record(meta)
}
