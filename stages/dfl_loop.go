package stages

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// learner is a model under decision-focused training. The loop owns the
// optimizer, the gradient mixing, model selection and the measurements;
// a learner only knows how to get its two gradients and its hold loss.
type learner interface {
	params() []*nn.Param
	// decisionGrad adds ∇_θ of the batch's decision loss L = (1/B) Σ_b
	// f(y_b, z*_b) into the gradients and returns L and the activation
	// bytes its estimator held (−1 when not tracked).
	decisionGrad(ctx context.Context, b *split, rng *rand.Rand) (loss float64, estBytes int64, err error)
	// regGrad adds ∇_θ of the regularizer (the denoising loss, or the MSE
	// of the predicted mean) into the gradients and returns its value.
	regGrad(b *split, rng *rand.Rand) float64
	// holdLoss returns the task loss of the current model on s with the
	// evaluation's samples and decision rule.
	holdLoss(ctx context.Context, s *split, rng *rand.Rand) (float64, error)
	// retried is the number of decision programs solved by the allocation
	// fallback so far (see decisionRule.solve).
	retried() int
}

// loopConfig is the optimizer, mixing and selection setup of a DFL run.
type loopConfig struct {
	epochs, batch, patience, seed int
	lr, mix                       float64
	mixScale                      string // "den" or "dfl" (see trainParams)
	// legacyDrop applies only the rescaled decision gradient
	// mix·(‖g_reg‖/‖g_dfl‖ + 1e-8)·g_dfl, as the reference's baselines whose
	// backward drops the MSE term (synthetic.md §8.6, portfolio.md §5.5).
	legacyDrop bool
	// legacyRegNorm, when > 0, stands in for ‖g_reg‖ under legacyDrop (the
	// reference's Gaussian score-function module measures 1e-6).
	legacyRegNorm float64
	// noSelect trains without hold selection and keeps the final model.
	noSelect bool
}

// loopResult is what a DFL run produced besides the trained weights.
type loopResult struct {
	curve *curve
	stats trainStats
}

// statsEvery is the interval (in steps) of the steps whose heap peak is
// measured: each costs a full GC before it starts, outside its timing.
const statsEvery = 10

// loadConfig reads the shared DFL params.
func loadConfig(p pipeline.Params) (loopConfig, error) {
	c := loopConfig{epochs: p.Int("epochs"), batch: p.Int("batch"), patience: p.Int("patience"), seed: p.Int("seed"),
		lr: p.Float("lr"), mix: p.Float("mix"), mixScale: p.String("mix_scale")}
	return c, c.validate()
}

// validate reports a setting that cannot train.
func (c loopConfig) validate() error {
	switch {
	case c.epochs < 0:
		return fmt.Errorf("%w: epochs = %d, want ≥ 0", ErrParam, c.epochs)
	case c.batch < 0:
		return fmt.Errorf("%w: batch = %d, want ≥ 0 (0 = full batch)", ErrParam, c.batch)
	case c.patience < 0:
		return fmt.Errorf("%w: patience = %d, want ≥ 0", ErrParam, c.patience)
	case !(c.lr >= 0):
		return fmt.Errorf("%w: lr = %g, want ≥ 0", ErrParam, c.lr)
	case !(c.mix >= 0 && c.mix <= 1):
		return fmt.Errorf("%w: mix = %g, want 0 ≤ mix ≤ 1", ErrParam, c.mix)
	}
	return nil
}

// trainer runs one DFL training.
type trainer struct {
	l        learner
	cfg      loopConfig
	ps       []*nn.Param
	opt      *nn.Adam
	rng      *rand.Rand
	r        pipeline.Reporter
	gD, gR   []float32
	res      loopResult
	times    []float64
	best     [][]float32 // weights of the best epoch so far
	bestLoss float64
}

// trainDFL trains l on train, selecting the epoch with the lowest task loss
// on hold (the initial model counts as epoch 0), and leaves the selected
// weights in place. Test rows are never seen.
func trainDFL(ctx context.Context, l learner, train, hold *split, cfg loopConfig, r pipeline.Reporter) (*loopResult, error) {
	if err := train.needRows("training"); err != nil {
		return nil, err
	}
	tr := &trainer{l: l, cfg: cfg, ps: l.params(), rng: newRNG(cfg.seed, streamTrain), r: r, bestLoss: math.Inf(1)}
	tr.opt = nn.NewAdam(tr.ps, cfg.lr)
	tr.res.curve = newCurve(ColTrainTaskLoss, ColHoldTaskLoss, ColRegLoss, ColSeconds)
	tr.res.stats.estimatorBytes = math.NaN()
	tr.best = snapshotParams(tr.ps)
	if !cfg.noSelect {
		if err := hold.needRows("model selection"); err != nil {
			return nil, err
		}
		var err error
		if tr.bestLoss, err = tr.hold(ctx, hold); err != nil {
			return nil, err
		}
		tr.res.curve.add(0, math.NaN(), tr.bestLoss, math.NaN(), 0)
		r.Logf("epoch 0 (initial model): hold task loss %.6g", tr.bestLoss)
	}
	batch := cfg.batch
	if batch == 0 || batch > train.n() {
		batch = train.n()
	}
	perEpoch := (train.n() + batch - 1) / batch
	for e := 1; e <= cfg.epochs; e++ {
		stop, err := tr.runEpoch(ctx, train, hold, batch, e, perEpoch)
		if err != nil {
			return nil, err
		}
		if stop {
			break
		}
	}
	tr.finish()
	return &tr.res, nil
}

// runEpoch trains one epoch, evaluates and selects on hold, logs the curve
// row, and reports whether patience ran out.
func (tr *trainer) runEpoch(ctx context.Context, train, hold *split, batch, e, perEpoch int) (bool, error) {
	start := time.Now()
	trainLoss, regLoss, err := tr.epoch(ctx, train, batch, e, perEpoch)
	if err != nil {
		return false, err
	}
	holdLoss := math.NaN()
	if !tr.cfg.noSelect {
		if holdLoss, err = tr.hold(ctx, hold); err != nil {
			return false, err
		}
		if holdLoss < tr.bestLoss {
			tr.best, tr.bestLoss, tr.res.stats.bestEpoch = snapshotParams(tr.ps), holdLoss, e
		}
	}
	secs := time.Since(start).Seconds()
	tr.res.curve.add(e, trainLoss, holdLoss, regLoss, secs)
	tr.r.Logf("epoch %d/%d: train task loss %.6g, hold task loss %.6g, regularizer %.5g; best %.6g at epoch %d; %.1fs (%.3fs/step)",
		e, tr.cfg.epochs, trainLoss, holdLoss, regLoss, tr.bestLoss, tr.res.stats.bestEpoch, secs, median(tr.times))
	if tr.cfg.patience > 0 && !tr.cfg.noSelect && e-tr.res.stats.bestEpoch >= tr.cfg.patience {
		tr.r.Logf("no better hold task loss for %d epochs: stopping", tr.cfg.patience)
		return true, nil
	}
	return false, nil
}

// finish restores the selected weights and completes the stats.
func (tr *trainer) finish() {
	if tr.cfg.noSelect {
		tr.res.stats.bestEpoch = len(tr.res.curve.epochs)
	} else {
		restoreParams(tr.ps, tr.best)
		tr.r.Logf("selected epoch %d by hold task loss %.6g", tr.res.stats.bestEpoch, tr.bestLoss)
	}
	tr.res.stats.steps = len(tr.times)
	tr.res.stats.secMean, tr.res.stats.secMedian = mean(tr.times), median(tr.times)
	if retried := tr.l.retried(); retried > 0 {
		tr.r.Logf("warning: %d allocation programs needed the log-domain fallback (heavy-tailed samples)", retried)
	}
}

// hold evaluates the current model on the hold split with common random
// numbers: the same seed every epoch, so epochs differ only by the model.
func (tr *trainer) hold(ctx context.Context, hold *split) (float64, error) {
	loss, err := tr.l.holdLoss(ctx, hold, newRNG(tr.cfg.seed, streamHold))
	if err != nil {
		return 0, fmt.Errorf("hold evaluation: %w", err)
	}
	return loss, nil
}

// epoch runs the minibatch steps of epoch e and returns the row-weighted
// mean task loss and regularizer.
func (tr *trainer) epoch(ctx context.Context, train *split, batch, e, perEpoch int) (float64, float64, error) {
	var taskSum, regSum float64
	for i, idx := range minibatches(train.n(), batch, tr.rng) {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		step := (e-1)*perEpoch + i
		var hp *heapPeak
		if step%statsEvery == 0 {
			hp = startHeapPeak()
		}
		start := time.Now()
		loss, reg, err := tr.step(ctx, train.rows(idx))
		if err != nil {
			return 0, 0, fmt.Errorf("epoch %d step %d: %w", e, i+1, err)
		}
		tr.times = append(tr.times, time.Since(start).Seconds())
		if hp != nil {
			tr.res.stats.peakHeap = math.Max(tr.res.stats.peakHeap, float64(hp.stop()))
		}
		taskSum += loss * float64(len(idx))
		regSum += reg * float64(len(idx))
		tr.r.Progress(int64(step+1), int64(tr.cfg.epochs*perEpoch), "step")
	}
	return taskSum / float64(train.n()), regSum / float64(train.n()), nil
}

// step computes both gradients of one minibatch, mixes them and takes an
// optimizer step. With g_dfl the decision gradient and g_reg the
// regularizer's, mix α and mix_scale den, the update direction is
// α·(‖g_reg‖/‖g_dfl‖ + 1e-8)·g_dfl + (1−α)·g_reg (synthetic.md §6,
// portfolio.md §3.4); with mix_scale dfl it is α·g_dfl + (1−α)·(‖g_dfl‖/‖g_reg‖
// + 1e-8)·g_reg (power.md §4 step 4). mix = 1 applies g_dfl alone.
func (tr *trainer) step(ctx context.Context, b *split) (loss, reg float64, err error) {
	nn.ZeroGrad(tr.ps)
	loss, est, err := tr.l.decisionGrad(ctx, b, tr.rng)
	if err != nil {
		return 0, 0, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, 0, fmt.Errorf("%w: batch task loss %g", ErrNumeric, loss)
	}
	if est >= 0 {
		tr.res.stats.estimatorBytes = math.Max(nanToZero(tr.res.stats.estimatorBytes), float64(est))
	}
	reg = math.NaN()
	if tr.cfg.mix < 1 || tr.cfg.legacyDrop {
		tr.gD = nn.SnapshotGrads(tr.ps, tr.gD)
		nn.ZeroGrad(tr.ps)
		reg = tr.l.regGrad(b, tr.rng)
		tr.gR = nn.SnapshotGrads(tr.ps, tr.gR)
		tr.mix()
	}
	if g := nn.GradNorm(tr.ps); math.IsNaN(g) || math.IsInf(g, 0) {
		return 0, 0, fmt.Errorf("%w: gradient norm %g", ErrNumeric, g)
	}
	tr.opt.Step()
	return loss, reg, nil
}

// mix sets the gradients to the mixed direction of gD and gR (see step).
func (tr *trainer) mix() {
	switch {
	case tr.cfg.legacyDrop:
		nR := nn.FlatNorm(tr.gR)
		if tr.cfg.legacyRegNorm > 0 {
			nR = tr.cfg.legacyRegNorm
		}
		nn.SetGrads(tr.ps, tr.gD)
		nn.ScaleGrads(tr.ps, float32(tr.cfg.mix*(nR/nn.FlatNorm(tr.gD)+1e-8)))
	case tr.cfg.mixScale == "dfl":
		nn.MixGrads(tr.ps, tr.gR, tr.gD, 1-tr.cfg.mix)
	default:
		nn.MixGrads(tr.ps, tr.gD, tr.gR, tr.cfg.mix)
	}
}

func nanToZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// snapshotParams copies the parameter values.
func snapshotParams(ps []*nn.Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = append([]float32(nil), p.W.Data...)
	}
	return out
}

// restoreParams copies values saved by snapshotParams back.
func restoreParams(ps []*nn.Param, s [][]float32) {
	for i, p := range ps {
		copy(p.W.Data, s[i])
	}
}
