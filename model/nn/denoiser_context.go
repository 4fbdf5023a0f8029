package nn

import (
	"math"

	"github.com/diffusion-dfl/pipe/pipeline/cores"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Rows that share a context.
//
// The callers of the Denoiser mostly run many rows per context: a DDIM step
// evaluates M samples of each of B contexts, the score-function surrogate
// M·K rows per context. Forward therefore accepts a context matrix x with
// fewer rows than y_t, one per group of G = yt.Rows/x.Rows consecutive rows
// (row r uses context r/G), and factors the first layer so that its x part
// is computed once per context rather than once per row.
//
// Split the input row v = [v_R, x_g] into the row part v_R = [y_t, temb(t)]
// (dr values) and the context part x_g (dx values), and W, γ, β of the first
// layer and the input LayerNorm into the same column blocks. With μ_r and
// rstd_r the mean and 1/√(var+ε) of the whole row, x̃_g = x_g − mean(x_g)
// and m_r = (mean(x_g) − μ_r)·rstd_r, the normalized context part is
// v̂_X = rstd_r·x̃_g + m_r, so the first layer's pre-activation is
//
//	z_r = W_R u_R + rstd_r·W_X(γ_X⊙x̃_g) + m_r·W_Xγ_X + W_Xβ_X + b,
//
// u_R = γ_R⊙v̂_R + β_R. The products W_X(γ_X⊙x̃_g), W_Xγ_X and W_Xβ_X cost
// contexts·h·dx (one GEMM of the stacked rows [γ_X⊙x̃; γ_X; β_X], ctxRows),
// W_R u_R rows·h·dr, instead of rows·h·(dr+dx). Centering x per context
// keeps every term of the size of the LayerNorm's output, so no
// cancellation of terms of size |μ|/σ occurs; the row's moments combine the
// two parts' means and centered sums of squares in float64 (Chan et al.),
// which is as accurate as the two-pass variance.
//
// Backward (denoiser_context_backward.go) factors the same way.

// ctxRecord is the per-row and per-context data of a factored first layer:
// everything its backward pass needs (and its forward pass, when no tape).
type ctxRecord struct {
	group int       // rows per context
	vhat  *Matrix   // rows × dr: v̂_R, the normalized row part
	rstd  []float32 // rows: 1/√(var+ε) of the whole input row
	shift []float32 // rows: m_r = (mean(x_g) − μ_r)·rstd_r
	xc    *Matrix   // contexts × dx: x̃_g = x_g − mean(x_g)
	proj  *Matrix   // (contexts+2) × h: W_X(γ_X⊙x̃_g) per context, W_Xγ_X, W_Xβ_X
}

// ctxFloats is the storage of a ctxRecord for n rows in nctx contexts.
func (c DenoiserConfig) ctxFloats(n, nctx int) int {
	dr := c.YDim + c.TimeDim
	return n*(dr+2) + nctx*c.XDim + (nctx+2)*c.Hidden
}

// carveCtx lays a ctxRecord over buf (of ctxFloats elements).
func (c DenoiserConfig) carveCtx(buf []float32, n, nctx int) *ctxRecord {
	dr := c.YDim + c.TimeDim
	next := func(k int) []float32 { s := buf[:k:k]; buf = buf[k:]; return s }
	return &ctxRecord{
		group: n / nctx,
		vhat:  view(next(n*dr), n, dr),
		rstd:  next(n),
		shift: next(n),
		xc:    view(next(nctx*c.XDim), nctx, c.XDim),
		proj:  view(next((nctx+2)*c.Hidden), nctx+2, c.Hidden),
	}
}

// Workspace slots of the factored first layer (after the Denoiser's).
const (
	slotCtx     = slotParts + 1 + iota // untaped ctxRecord storage
	slotCtxRows                        // the stacked rows [γ_X⊙x̃; γ_X; β_X]
	slotCtxBias                        // b + W_Xβ_X
	slotCtxSums                        // backward: per-context sums of dz
	slotCtxE                           // backward: the sums times W_X
)

// float64 workspace slot of the per-context moments (slot 0 is sumPartials').
const slot64Ctx = 1

// ctxInput computes the factored first layer up to the per-row terms: the
// record c (v̂_R, rstd, m, x̃, the context projections) and
// pre = W_R u_R, with u (rows × dr) as scratch. It returns the bias
// b + W_Xβ_X to add with the per-row terms (see ctxPreRow).
func (d *Denoiser) ctxInput(yt, tab *Matrix, idx []int32, x *Matrix, c *ctxRecord, u, pre *Matrix) []float32 {
	cfg, lin := d.cfg, d.Linear[0]
	dr, h := cfg.YDim+cfg.TimeDim, cfg.Hidden
	nctx := c.xc.Rows
	stats := d.ws.buf64(slot64Ctx, 2*nctx)
	rows := view(d.ws.buf32(slotCtxRows, (nctx+2)*cfg.XDim), nctx+2, cfg.XDim)
	d.ctxMoments(x, c, stats, rows)
	w := lin.Weight.W
	d.ws.gemm.both(func() { d.ws.gemm.gemmNT(rows, colsOf(w, dr, w.Cols), c.proj) }, func() {
		d.rowPartPass(yt, tab, idx, c, stats, u)
		d.ws.gemm.gemmNT(u, colsOf(w, 0, dr), pre)
	})
	bias := d.ws.buf32(slotCtxBias, h)
	for j, b := range lin.Bias.W.Data {
		bias[j] = b + c.proj.At(nctx+1, j)
	}
	return bias
}

// ctxMoments centers each context, x̃_g = x_g − mean(x_g), into c.xc,
// stores (mean, Σx̃²) per context in stats (float64, two passes) and fills
// rows with [γ_X⊙x̃_g; γ_X; β_X].
func (d *Denoiser) ctxMoments(x *Matrix, c *ctxRecord, stats []float64, rows *Matrix) {
	dr, dx := d.cfg.YDim+d.cfg.TimeDim, d.cfg.XDim
	g, b := d.NormIn.Gamma.W.Data[dr:], d.NormIn.Beta.W.Data[dr:]
	nctx := c.xc.Rows
	forChunks(nctx, dx, func(_, lo, hi int) {
		for k := lo; k < hi; k++ {
			mean, m2 := centeredMoments(x.Row(k), c.xc.Row(k))
			stats[2*k], stats[2*k+1] = mean, m2
			out, xc := rows.Row(k), c.xc.Row(k)
			for j, v := range xc {
				out[j] = g[j] * v
			}
		}
	})
	copy(rows.Row(nctx), g)
	copy(rows.Row(nctx+1), b)
}

// centeredMoments returns the mean of v and Σ(v−mean)², in float64 and two
// passes, and writes v − mean to out (when non-nil). An empty v has mean 0.
func centeredMoments(v, out []float32) (mean, m2 float64) {
	if len(v) == 0 {
		return 0, 0
	}
	var s float64
	for _, e := range v {
		s += float64(e)
	}
	mean = s / float64(len(v))
	for j, e := range v {
		dv := float64(e) - mean
		m2 += dv * dv
		if out != nil {
			out[j] = float32(dv)
		}
	}
	return mean, m2
}

// rowPartPass assembles each row part v_R = [y_t, temb(t)], finishes the
// LayerNorm statistics of the whole row from those of v_R and of its
// context (stats), and writes v̂_R, rstd and m into c and u_R = γ_R⊙v̂_R + β_R
// into u.
//
// With n_R, n_X values, means μ_R, μ_X and centered sums of squares
// M_R, M_X, the whole row has μ = μ_R + (μ_X−μ_R)·n_X/n and
// M = M_R + M_X + (μ_X−μ_R)²·n_R·n_X/n (Chan, Golub, LeVeque 1979), and
// var = M/n, biased as in PyTorch's LayerNorm.
func (d *Denoiser) rowPartPass(yt, tab *Matrix, idx []int32, c *ctxRecord, stats []float64, u *Matrix) {
	yd, dr, dx := d.cfg.YDim, u.Cols, d.cfg.XDim
	nR, nX := float64(dr), float64(dx)
	n := nR + nX
	g, b := d.NormIn.Gamma.W.Data[:dr], d.NormIn.Beta.W.Data[:dr]
	forChunks(u.Rows, dr, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			v := c.vhat.Row(i)
			copy(v, yt.Row(i))
			copy(v[yd:], tab.Row(int(idx[i])))
			muR, mR := centeredMoments(v, nil)
			k := i / c.group
			delta := 0.0
			if dx > 0 {
				delta = stats[2*k] - muR
			}
			mu := muR + delta*nX/n
			m2 := mR + stats[2*k+1] + delta*delta*nR*nX/n
			rstd := 1 / math.Sqrt(max(m2/n, 0)+LayerNormEps)
			c.rstd[i] = float32(rstd)
			c.shift[i] = float32(delta * nR / n * rstd) // (μ_X − μ)·rstd
			out := u.Row(i)
			for j, e := range v {
				vh := float32((float64(e) - mu) * rstd)
				v[j] = vh
				out[j] = g[j]*vh + b[j]
			}
		}
	})
}

// ctxPreRow adds the per-row terms of the factored first layer to row i of
// W_R u_R: pre += rstd_r·W_X(γ_X⊙x̃_g) + m_r·W_Xγ_X.
func (c *ctxRecord) ctxPreRow(i int, pre []float32) {
	nctx := c.xc.Rows
	r, m := c.rstd[i], c.shift[i]
	px, ax := c.proj.Row(i/c.group), c.proj.Row(nctx)
	pre = pre[:len(px)]
	ax = ax[:len(px)]
	for j, p := range px {
		pre[j] += r*p + m*ax[j]
	}
}

// gemmNT sets c = a·bᵀ for a BLAS view b (a column block of a weight
// matrix), split into the row blocks of matMulT.
func (gp gemmPlan) gemmNT(a *Matrix, b blas32.General, c *Matrix) {
	if c.Rows == 0 || c.Cols == 0 {
		return
	}
	if a.Cols == 0 {
		clear(c.Data)
		return
	}
	gp.forBlocks(c.Rows, gemmBlock, func(lo, hi int) {
		blas32.Gemm(blas.NoTrans, blas.Trans, 1, rowsOf(a, lo, hi), b, 0, rowsOf(c, lo, hi))
	})
}

// both runs f and g, side by side when products are split and a core is
// idle (cores.Do), one after the other otherwise; each writes its own
// outputs, so the results do not depend on the schedule.
func (gp gemmPlan) both(f, g func()) {
	if gp.whole {
		f()
		g()
		return
	}
	cores.Do(2, 2, func(i int) {
		if i == 0 {
			f()
		} else {
			g()
		}
	})
}
