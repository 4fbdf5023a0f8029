package nn

import (
	"fmt"
	"math/rand/v2"
)

// DenoiserConfig sizes the paper's noise-prediction network (ModelNet,
// synthetic.md §3). The reference uses Hidden 1024, Blocks 3, TimeDim 16 and
// TimeHidden 256; the power task has YDim 24, XDim 149, the synthetic task
// YDim 10, XDim 20, the portfolio task YDim 50, XDim 1400.
type DenoiserConfig struct {
	YDim       int `json:"y_dim"`
	XDim       int `json:"x_dim"`       // 0 for an unconditional model
	Hidden     int `json:"hidden"`      // width h of the body
	Blocks     int `json:"blocks"`      // number of Linear–SiLU–LayerNorm blocks
	TimeDim    int `json:"time_dim"`    // sinusoid and embedding width; 0 means 16
	TimeHidden int `json:"time_hidden"` // time-MLP width; 0 means 256
}

// ReferenceDenoiser returns the reference's configuration for the given
// widths of y and x: h = 1024, 3 blocks, time embedding 16 through 256.
func ReferenceDenoiser(ydim, xdim int) DenoiserConfig {
	return DenoiserConfig{YDim: ydim, XDim: xdim, Hidden: 1024, Blocks: 3, TimeDim: 16, TimeHidden: 256}
}

// withDefaults fills the time-embedding sizes left at zero.
func (c DenoiserConfig) withDefaults() DenoiserConfig {
	if c.TimeDim == 0 {
		c.TimeDim = 16
	}
	if c.TimeHidden == 0 {
		c.TimeHidden = 256
	}
	return c
}

// Validate reports a configuration that cannot build a network.
func (c DenoiserConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case c.YDim <= 0 || c.XDim < 0:
		return fmt.Errorf("%w: denoiser y_dim %d, x_dim %d", ErrConfig, c.YDim, c.XDim)
	case c.Hidden <= 0 || c.Blocks <= 0:
		return fmt.Errorf("%w: denoiser hidden %d, blocks %d", ErrConfig, c.Hidden, c.Blocks)
	case c.TimeDim <= 0 || c.TimeDim%2 != 0 || c.TimeHidden <= 0:
		return fmt.Errorf("%w: denoiser time_dim %d (must be even), time_hidden %d", ErrConfig, c.TimeDim, c.TimeHidden)
	}
	return nil
}

// In is the width of the network input [y_t, temb(t), x].
func (c DenoiserConfig) In() int { c = c.withDefaults(); return c.YDim + c.TimeDim + c.XDim }

// Denoiser is the conditional noise predictor ε_θ(y_t, t, x) of the paper
// (synthetic.md §3): the input row [y_t, temb(t), x] goes through
// LayerNorm(in) → Blocks × (Linear(·, h) → SiLU → LayerNorm(h)) →
// Linear(h, YDim). It implements model.EpsNet.
//
// Rows may share contexts: Forward takes one context row per group of
// G = yt.Rows/x.Rows consecutive rows (row r ↔ context r/G), the order of
// B contexts × M samples (row b·M + j ↔ sample j of context b), and then
// computes the x part of the first layer once per context
// (denoiser_context.go), which pays most where x is wide (the portfolio
// task's dx = 1400; BenchmarkDenoiserContexts, figures in the README's
// Performance section).
//
// The passes are fused (bias+SiLU+LayerNorm in one sweep over each row) and
// run on a workspace reused between calls, so a steady training step
// allocates only its small outputs. Per forward pass with a tape the record
// holds, per row, 4·(in + 1 + Blocks·(2h+2)) + 4 bytes (the normalized
// input; per block the SiLU output, σ and the LayerNorm mean and inverse
// standard deviation, from which backward recomputes the LayerNorm outputs
// and SiLU' without an exponential), plus 4·TimeHidden + 8 bytes per
// distinct step: 6,932 bytes per row for the power task at h = 256, 24,792
// for the synthetic task at h = 1024. With shared contexts the input part
// shrinks to the row part [y_t, temb] and two scalars, 4·(dy + TimeDim + 2)
// bytes per row, plus 4·(dx + h) bytes per context and 8h once: 6,406 bytes
// per row for power and 6,710 (from 12,040) for portfolio at 25 rows per
// context.
//
// A Denoiser is not safe for concurrent use; its passes use both cores
// internally.
type Denoiser struct {
	cfg    DenoiserConfig
	Time   *TimeEmbedding
	NormIn *LayerNorm
	Linear []*Linear    // Blocks hidden layers, SiLU fused
	Norm   []*LayerNorm // the LayerNorm after each hidden layer
	Out    *Linear
	params []*Param
	ws     workspace
	// factorSingle runs batches with one context per row (G = 1) through
	// the factored first layer too; by default they take the dense path,
	// which is as fast (BenchmarkDenoiserSingleContext) and is the
	// reference the factored path is tested against.
	factorSingle bool
}

// NewDenoiser builds the network with PyTorch's default initialization,
// drawing from rng in the order of Params. It panics on an invalid
// configuration (see DenoiserConfig.Validate).
func NewDenoiser(cfg DenoiserConfig, rng *rand.Rand) *Denoiser {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	d := &Denoiser{cfg: cfg}
	d.Time = NewTimeEmbedding("time_mlp", cfg.TimeDim, cfg.TimeHidden, rng)
	d.NormIn = NewLayerNorm("net.norm_in", cfg.In())
	in := cfg.In()
	for k := range cfg.Blocks {
		d.Linear = append(d.Linear, NewLinear(fmt.Sprintf("net.%d.linear", k), in, cfg.Hidden, ActSiLU, rng))
		d.Norm = append(d.Norm, NewLayerNorm(fmt.Sprintf("net.%d.norm", k), cfg.Hidden))
		in = cfg.Hidden
	}
	d.Out = NewLinear("net.out", cfg.Hidden, cfg.YDim, ActIdentity, rng)
	d.params = append(d.Time.Params(), d.NormIn.Params()...)
	for k := range cfg.Blocks {
		d.params = append(d.params, d.Linear[k].Params()...)
		d.params = append(d.params, d.Norm[k].Params()...)
	}
	d.params = append(d.params, d.Out.Params()...)
	return d
}

// Config returns the network's configuration (time sizes filled in).
func (d *Denoiser) Config() DenoiserConfig { return d.cfg }

// Params lists the parameters: time MLP, input LayerNorm, each block's
// Linear and LayerNorm, output Linear.
func (d *Denoiser) Params() []*Param { return d.params }

// YDim is the width of y.
func (d *Denoiser) YDim() int { return d.cfg.YDim }

// XDim is the width of the context x.
func (d *Denoiser) XDim() int { return d.cfg.XDim }

// ReleaseWorkspace frees the scratch buffers and the recycled tape slabs
// (they grow to the largest batch, and the longest chain of taped passes,
// seen); the next call reallocates what it needs.
func (d *Denoiser) ReleaseWorkspace() {
	d.ws.release()
	d.Time.ws.release()
}

// denoiserRecord is one forward pass's tape record; every matrix is carved
// from slab, which goes back to the workspace after backward. Per block it
// keeps the SiLU output s = p·σ(p) and σ(p), from which backward gets
// SiLU' = σ + s(1−σ) without an exponential, and the LayerNorm statistics
// of s, from which it recomputes x̂ = (s−μ)·rstd and the block output.
type denoiserRecord struct {
	d      *Denoiser
	slab   []float32
	xhatIn *Matrix   // rows × in, normalized input
	rstdIn []float32 // rows
	act    []*Matrix // per block, rows × h, s = SiLU(pre)
	sig    []*Matrix // per block, rows × h, σ(pre)
	mu     [][]float32
	rstd   [][]float32
	idx    []int32    // row → distinct step, shared with the time record
	nuniq  int        // number of distinct steps
	rows   int        // rows of the pass
	ctx    *ctxRecord // factored first layer (nil: xhatIn, rstdIn hold the input)
}

// TapeBytes counts the slab.
func (r *denoiserRecord) TapeBytes() int64 { return 4 * int64(len(r.slab)) }

// newRecord carves a record for n rows out of a (possibly recycled) slab:
// the dense input LayerNorm's x̂ and rstd when nctx is 0, the factored first
// layer's ctxRecord for nctx contexts otherwise.
func (d *Denoiser) newRecord(n, nctx int) *denoiserRecord {
	in, h, nb := d.cfg.In(), d.cfg.Hidden, d.cfg.Blocks
	inFloats := n * (in + 1)
	if nctx > 0 {
		inFloats = d.cfg.ctxFloats(n, nctx)
	}
	slab := d.ws.slabs.take(inFloats + n*nb*(2*h+2))
	rec := &denoiserRecord{d: d, slab: slab, rows: n}
	next := func(k int) []float32 { s := slab[:k:k]; slab = slab[k:]; return s }
	if nctx > 0 {
		rec.ctx = d.cfg.carveCtx(next(inFloats), n, nctx)
	} else {
		rec.xhatIn = view(next(n*in), n, in)
		rec.rstdIn = next(n)
	}
	for range nb {
		rec.act = append(rec.act, view(next(n*h), n, h))
		rec.sig = append(rec.sig, view(next(n*h), n, h))
		rec.mu = append(rec.mu, next(n))
		rec.rstd = append(rec.rstd, next(n))
	}
	return rec
}

// Forward predicts the noise ε̂ for each row (y_t[r], t[r], x[r/G]), where
// x holds one context per group of G = yt.Rows/x.Rows consecutive rows
// (x.Rows must divide yt.Rows; G = 1 is one context per row). x may be nil
// when XDim is 0. Rows that share a context run a factored first layer whose
// x part is computed once per context (denoiser_context.go). With a tape it
// pushes two records (time embedding, then body) that Backward pops. The
// returned matrix is the caller's.
func (d *Denoiser) Forward(yt *Matrix, t []int, x *Matrix, tape *Tape) *Matrix {
	n, nctx := d.checkInputs(yt, t, x)
	in, h := d.cfg.In(), d.cfg.Hidden
	tab, idx := d.Time.table(t, tape)
	var rec *denoiserRecord
	if tape != nil {
		rec = d.newRecord(n, nctx)
		rec.idx, rec.nuniq = idx, tab.Rows
	}
	bufA := d.ws.buf32(slotA, n*max(in, h))
	pre := view(d.ws.buf32(slotP, n*h), n, h)
	var a *Matrix
	var first *ctxRecord
	bias := d.Linear[0].Bias.W.Data
	if nctx > 0 {
		first = d.ctxRecordFor(rec, n, nctx)
		bias = d.ctxInput(yt, tab, idx, x, first, view(bufA, n, d.cfg.YDim+d.cfg.TimeDim), pre)
	} else {
		a = view(bufA, n, in)
		d.inputPass(yt, tab, idx, x, rec, a)
	}
	for k, lin := range d.Linear {
		if k > 0 {
			first, bias = nil, nil
		}
		if first == nil {
			d.ws.gemm.matMulT(a, lin.Weight.W, pre)
		}
		a = view(bufA, n, h)
		d.blockPass(k, pre, rec, first, bias, a)
	}
	out := NewMatrix(n, d.cfg.YDim)
	d.ws.gemm.matMulT(a, d.Out.Weight.W, out)
	biasActPass(ActIdentity, out, d.Out.Bias.W.Data, out)
	if tape != nil {
		tape.Push(rec)
	}
	return out
}

// ctxRecordFor returns the taped record's ctxRecord, or one over workspace
// storage for an untaped pass.
func (d *Denoiser) ctxRecordFor(rec *denoiserRecord, n, nctx int) *ctxRecord {
	if rec != nil {
		return rec.ctx
	}
	return d.cfg.carveCtx(d.ws.buf32(slotCtx, d.cfg.ctxFloats(n, nctx)), n, nctx)
}

// Workspace slots of the Denoiser.
const (
	slotA     = iota // layer inputs a_k (rows × max(in, h))
	slotP            // pre-activations (rows × h)
	slotDA           // gradient with respect to a_k
	slotDP           // gradient with respect to the pre-activation
	slotXH           // per-chunk row of x̂ recomputed in backward
	slotParts        // per-chunk partial sums of parameter gradients
)

// checkInputs panics on inconsistent shapes and returns the number of rows
// and, when the first layer is to be factored, the number of contexts (0
// for the dense path).
func (d *Denoiser) checkInputs(yt *Matrix, t []int, x *Matrix) (n, nctx int) {
	n = yt.Rows
	mustCols("Denoiser.Forward y_t", yt, d.cfg.YDim)
	if len(t) != n {
		panic(fmt.Errorf("%w: Denoiser.Forward: %d steps for %d rows", ErrShape, len(t), n))
	}
	if x == nil {
		if d.cfg.XDim != 0 {
			panic(fmt.Errorf("%w: Denoiser.Forward: nil x, want %d columns", ErrShape, d.cfg.XDim))
		}
		return n, 0
	}
	mustCols("Denoiser.Forward x", x, d.cfg.XDim)
	if n == 0 || (x.Rows == n && !d.factorSingle) {
		return n, 0
	}
	if x.Rows == 0 || n%x.Rows != 0 {
		panic(fmt.Errorf("%w: Denoiser.Forward: %d context rows for %d rows, want a divisor", ErrShape, x.Rows, n))
	}
	return n, x.Rows
}

// inputPass assembles each row [y_t, temb, x] in a and normalizes it in
// place with the input LayerNorm, keeping x̂ and rstd in rec if taping.
func (d *Denoiser) inputPass(yt, tab *Matrix, idx []int32, x *Matrix, rec *denoiserRecord, a *Matrix) {
	in, yd, td := a.Cols, d.cfg.YDim, d.cfg.TimeDim
	g, b := d.NormIn.Gamma.W.Data, d.NormIn.Beta.W.Data
	forChunks(a.Rows, in, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := a.Row(i)
			copy(row, yt.Row(i))
			copy(row[yd:], tab.Row(int(idx[i])))
			if x != nil {
				copy(row[yd+td:], x.Row(i))
			}
			if rec == nil {
				lnForwardRow(row, g, b, LayerNormEps, nil, row)
				continue
			}
			_, rec.rstdIn[i] = lnForwardRow(row, g, b, LayerNormEps, rec.xhatIn.Row(i), row)
		}
	})
}

// blockPass finishes block k on each row: a = LN(SiLU(pre + b)), keeping
// s = SiLU(pre + b), σ(pre + b) and the LayerNorm statistics in rec if
// taping (σ goes to per-chunk scratch otherwise). For a factored first
// layer (first non-nil, k = 0) it first adds the per-row terms to pre, and
// bias, when non-nil, replaces the layer's own.
func (d *Denoiser) blockPass(k int, pre *Matrix, rec *denoiserRecord, first *ctxRecord, bias []float32, a *Matrix) {
	h := a.Cols
	if bias == nil {
		bias = d.Linear[k].Bias.W.Data
	}
	g, b := d.Norm[k].Gamma.W.Data, d.Norm[k].Beta.W.Data
	scratch := d.ws.buf32(slotXH, numChunks(a.Rows)*h)
	forChunks(a.Rows, h, func(c, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := a.Row(i)
			if first != nil {
				first.ctxPreRow(i, pre.Row(i))
			}
			if rec == nil {
				rowKern.siluBiasRow(pre.Row(i), bias, scratch[c*h:(c+1)*h], row)
				lnForwardRow(row, g, b, LayerNormEps, nil, row)
				continue
			}
			s := rec.act[k].Row(i)
			rowKern.siluBiasRow(pre.Row(i), bias, rec.sig[k].Row(i), s)
			rec.mu[k][i], rec.rstd[k][i] = lnForwardRow(s, g, b, LayerNormEps, nil, row)
		}
	})
}
