package nn

import "fmt"

// Backward pops one Forward's records, adds dL/dθ for dEps = dL/dε̂ into the
// parameters' gradients (time MLP included) and returns dL/dy_t.
//
// With a_k the input of hidden layer k (a_0 = LN_in([y_t, temb, x]),
// a_{k+1} = LN_k(SiLU(a_k·W_kᵀ + b_k))), it runs from the output down:
// dW_out = dEpsᵀ·a_B, then per block the LayerNorm and SiLU backward fused
// in one row pass (blockRow.backward), dW_k = dpreᵀ·a_k, da_k = dpre·W_k;
// the a_k are recomputed from the saved SiLU outputs and LayerNorm
// statistics, and the input LayerNorm's gradient splits into dL/dy_t and
// the time embedding's gradient, summed per distinct step. A factored first
// layer (rows sharing contexts) back-propagates through ctxBackward.
func (d *Denoiser) Backward(tape *Tape, dEps *Matrix) *Matrix {
	rec, ok := tape.Pop().(*denoiserRecord)
	if !ok || rec.d != d {
		panic(fmt.Errorf("%w: Denoiser backward", ErrTape))
	}
	n := rec.rows
	mustSameShape("Denoiser.Backward", dEps, &Matrix{Rows: n, Cols: d.cfg.YDim})
	in, h, nb := d.cfg.In(), d.cfg.Hidden, d.cfg.Blocks
	bufA := d.ws.buf32(slotA, n*max(in, h))
	bufDA := d.ws.buf32(slotDA, n*max(in, h))
	dp := view(d.ws.buf32(slotDP, n*h), n, h)

	a := view(bufA, n, h)
	d.outputInputPass(rec, a)
	colSumPass(dEps, d.Out.Bias.G.Data, &d.ws, slotParts)
	da := view(bufDA, n, h)
	d.ws.gemm.linearBackward(dEps, a, d.Out.Weight.W, d.Out.Weight.G, da)
	dyt := NewMatrix(n, d.cfg.YDim)
	for k := nb - 1; k >= 0; k-- {
		ink := h
		if k == 0 {
			ink = d.firstIn(rec)
		}
		a = view(bufA, n, ink)
		d.blockBackPass(k, rec, da, dp, a)
		da = view(bufDA, n, ink)
		if k == 0 && rec.ctx != nil {
			d.ctxBackward(rec.ctx, dp, a, da, dyt)
			continue
		}
		d.ws.gemm.linearBackward(dp, a, d.Linear[k].Weight.W, d.Linear[k].Weight.G, da)
	}
	if rec.ctx == nil {
		d.inputBackPass(rec, da, dyt)
	}
	dT := d.Time.scatter(da, rec.idx, rec.nuniq, d.cfg.YDim)
	d.ws.slabs.give(rec.slab)
	d.Time.backwardTable(d.Time.pop(tape), dT)
	return dyt
}

// firstIn is the width of the first hidden layer's recomputed input: the
// whole row, or only its row part [y_t, temb] when the layer is factored.
func (d *Denoiser) firstIn(rec *denoiserRecord) int {
	if rec.ctx != nil {
		return d.cfg.YDim + d.cfg.TimeDim
	}
	return d.cfg.In()
}

// blockBackPass takes da = dL/da_{k+1} through block k's LayerNorm and SiLU
// into dp = dL/dpre_k, accumulating the LayerNorm's and the Linear bias's
// gradients, and recomputes the block's input a_k into a.
func (d *Denoiser) blockBackPass(k int, rec *denoiserRecord, da, dp, a *Matrix) {
	h := da.Cols
	nc := numChunks(da.Rows)
	parts := d.ws.zero32(slotParts, 3*nc*h)
	xhs := d.ws.buf32(slotXH, nc*h)
	g := d.Norm[k].Gamma.W.Data
	forChunks(da.Rows, h, func(c, lo, hi int) {
		dg := parts[c*h : (c+1)*h]
		db := parts[(nc+c)*h : (nc+c+1)*h]
		dbias := parts[(2*nc+c)*h : (2*nc+c+1)*h]
		xh := xhs[c*h : (c+1)*h]
		for i := lo; i < hi; i++ {
			row := blockRow{s: rec.act[k].Row(i), sig: rec.sig[k].Row(i), mu: rec.mu[k][i], rstd: rec.rstd[k][i]}
			row.backward(da.Row(i), g, dp.Row(i), xh, dg, db, dbias)
			d.blockInputRow(k, rec, i, a.Row(i))
		}
	})
	sumPartials(d.Norm[k].Gamma.G.Data, parts[:nc*h], nc, &d.ws)
	sumPartials(d.Norm[k].Beta.G.Data, parts[nc*h:2*nc*h], nc, &d.ws)
	sumPartials(d.Linear[k].Bias.G.Data, parts[2*nc*h:], nc, &d.ws)
}

// blockRow is one row of a block's tape record: the SiLU output s, σ, and
// the LayerNorm statistics of s.
type blockRow struct {
	s, sig   []float32
	mu, rstd float32
}

// backward takes da = dL/d(LN output) to dp = dL/dpre for one row: the
// LayerNorm backward of lnBackwardRow with x̂ = (s−μ)·rstd recomputed into
// xh, times SiLU'(p) = σ + p·σ·(1−σ) = σ + s·(1−σ). It adds da⊙x̂ into dg,
// da into db and dp into dbias, in two sweeps (backSweepA, backSweepB).
func (b blockRow) backward(da, gamma, dp, xh, dg, db, dbias []float32) {
	sg, sgx := rowKern.backSweepA(b.s, da, gamma, xh, dg, db, b.mu, b.rstd)
	n := float64(len(da))
	rowKern.backSweepB(da, gamma, xh, b.s, b.sig, dp, dbias, b.rstd, float32(sg/n), float32(sgx/n))
}

// backSweepAGo sets xh = x̂ = (s−μ)·rstd, adds da⊙x̂ into dg and da into db,
// and returns Σ da⊙γ and Σ da⊙γ⊙x̂, accumulated in float64 with four
// accumulators each like rowMomentsGo.
func backSweepAGo(s, da, gamma, xh, dg, db []float32, mu, rstd float32) (sg, sgx float64) {
	n := len(da)
	s, gamma, xh, dg, db = s[:n], gamma[:n], xh[:n], dg[:n], db[:n]
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	j := 0
	for ; j+4 <= n; j += 4 {
		x0, x1, x2, x3 := (s[j]-mu)*rstd, (s[j+1]-mu)*rstd, (s[j+2]-mu)*rstd, (s[j+3]-mu)*rstd
		xh[j], xh[j+1], xh[j+2], xh[j+3] = x0, x1, x2, x3
		d0, d1, d2, d3 := da[j], da[j+1], da[j+2], da[j+3]
		dg[j], dg[j+1], dg[j+2], dg[j+3] = dg[j]+d0*x0, dg[j+1]+d1*x1, dg[j+2]+d2*x2, dg[j+3]+d3*x3
		db[j], db[j+1], db[j+2], db[j+3] = db[j]+d0, db[j+1]+d1, db[j+2]+d2, db[j+3]+d3
		g0, g1, g2, g3 := d0*gamma[j], d1*gamma[j+1], d2*gamma[j+2], d3*gamma[j+3]
		s0, s1, s2, s3 = s0+float64(g0), s1+float64(g1), s2+float64(g2), s3+float64(g3)
		q0, q1, q2, q3 = q0+float64(g0*x0), q1+float64(g1*x1), q2+float64(g2*x2), q3+float64(g3*x3)
	}
	for ; j < n; j++ {
		x, d := (s[j]-mu)*rstd, da[j]
		xh[j], dg[j], db[j] = x, dg[j]+d*x, db[j]+d
		g := d * gamma[j]
		s0, q0 = s0+float64(g), q0+float64(g*x)
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// backSweepBGo sets dp = rstd·(da⊙γ − mg − x̂·mgx)⊙(σ + s⊙(1−σ)), the
// LayerNorm input gradient times SiLU', and adds dp into dbias.
func backSweepBGo(da, gamma, xh, s, sig, dp, dbias []float32, rstd, mg, mgx float32) {
	n := len(da)
	gamma, xh, s, sig, dp, dbias = gamma[:n], xh[:n], s[:n], sig[:n], dp[:n], dbias[:n]
	for j, d := range da {
		v := rstd * (d*gamma[j] - mg - xh[j]*mgx) * (sig[j] + s[j]*(1-sig[j]))
		dp[j] = v
		dbias[j] += v
	}
}

// blockInputRow recomputes row i of a_k, the input of hidden layer k, from
// the record: the input LayerNorm's output for k = 0 (its row part u_R for
// a factored first layer), block k−1's output otherwise, bit for bit as
// the forward pass computed it.
func (d *Denoiser) blockInputRow(k int, rec *denoiserRecord, i int, out []float32) {
	if k == 0 && rec.ctx != nil {
		affineRow(rec.ctx.vhat.Row(i), d.NormIn.Gamma.W.Data, d.NormIn.Beta.W.Data, out)
		return
	}
	if k == 0 {
		affineRow(rec.xhatIn.Row(i), d.NormIn.Gamma.W.Data, d.NormIn.Beta.W.Data, out)
		return
	}
	ln := d.Norm[k-1]
	rowKern.normRow(rec.act[k-1].Row(i), rec.mu[k-1][i], rec.rstd[k-1][i], ln.Gamma.W.Data, ln.Beta.W.Data, out)
}

// outputInputPass recomputes a_B, the input of the output layer.
func (d *Denoiser) outputInputPass(rec *denoiserRecord, a *Matrix) {
	nb := d.cfg.Blocks
	forChunks(a.Rows, a.Cols, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			d.blockInputRow(nb, rec, i, a.Row(i))
		}
	})
}

// inputBackPass takes da = dL/da_0 through the input LayerNorm in place,
// accumulating its gradients, and copies the y_t columns into dyt.
func (d *Denoiser) inputBackPass(rec *denoiserRecord, da, dyt *Matrix) {
	in := da.Cols
	nc := numChunks(da.Rows)
	parts := d.ws.zero32(slotParts, 2*nc*in)
	g := d.NormIn.Gamma.W.Data
	forChunks(da.Rows, in, func(c, lo, hi int) {
		dg := parts[c*in : (c+1)*in]
		db := parts[(nc+c)*in : (nc+c+1)*in]
		for i := lo; i < hi; i++ {
			row := da.Row(i)
			lnBackwardRow(row, rec.xhatIn.Row(i), g, rec.rstdIn[i], row, dg, db)
			copy(dyt.Row(i), row)
		}
	})
	sumPartials(d.NormIn.Gamma.G.Data, parts[:nc*in], nc, &d.ws)
	sumPartials(d.NormIn.Beta.G.Data, parts[nc*in:], nc, &d.ws)
}

// affineRow sets out = γ⊙x̂ + β, a LayerNorm's output from its saved x̂.
func affineRow(xhat, g, b, out []float32) {
	out = out[:len(xhat)]
	g, b = g[:len(xhat)], b[:len(xhat)]
	for j, v := range xhat {
		out[j] = g[j]*v + b[j]
	}
}

// colSumPass adds the column sums of m into dst (per-chunk partials in
// float32 slot slot of ws, see sumPartials).
func colSumPass(m *Matrix, dst []float32, ws *workspace, slot int) {
	c := m.Cols
	nc := numChunks(m.Rows)
	parts := ws.zero32(slot, nc*c)
	forChunks(m.Rows, c, func(k, lo, hi int) {
		part := parts[k*c : (k+1)*c]
		for i := lo; i < hi; i++ {
			for j, v := range m.Row(i) {
				part[j] += v
			}
		}
	})
	sumPartials(dst, parts, nc, ws)
}
