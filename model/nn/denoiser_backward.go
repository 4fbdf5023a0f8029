package nn

import "fmt"

// Backward pops one Forward's records, adds dL/dθ for dEps = dL/dε̂ into the
// parameters' gradients (time MLP included) and returns dL/dy_t.
//
// With a_k the input of hidden layer k (a_0 = LN_in([y_t, temb, x]),
// a_{k+1} = LN_k(SiLU(a_k·W_kᵀ + b_k))), it runs from the output down:
// dW_out = dEpsᵀ·a_B, then per block the LayerNorm and SiLU backward of
// lnBackwardRow and actBackwardRow fused in one row pass, dW_k = dpreᵀ·a_k,
// da_k = dpre·W_k; the a_k are recomputed from the saved x̂ as γ⊙x̂+β.
func (d *Denoiser) Backward(tape *Tape, dEps *Matrix) *Matrix {
	rec, ok := tape.Pop().(*denoiserRecord)
	if !ok || rec.d != d {
		panic(fmt.Errorf("%w: Denoiser backward", ErrTape))
	}
	n := len(rec.rstdIn)
	mustSameShape("Denoiser.Backward", dEps, &Matrix{Rows: n, Cols: d.cfg.YDim})
	in, h, nb := d.cfg.In(), d.cfg.Hidden, d.cfg.Blocks
	bufA := d.ws.buf32(slotA, n*max(in, h))
	bufDA := d.ws.buf32(slotDA, n*max(in, h))
	dp := view(d.ws.buf32(slotDP, n*h), n, h)

	a := view(bufA, n, h)
	last := d.Norm[nb-1]
	affinePass(rec.xhat[nb-1], last.Gamma.W.Data, last.Beta.W.Data, a)
	colSumPass(dEps, d.Out.Bias.G.Data, &d.ws)
	addMatTMul(dEps, a, d.Out.Weight.G)
	da := view(bufDA, n, h)
	matMul(dEps, d.Out.Weight.W, da)
	for k := nb - 1; k >= 0; k-- {
		ink := h
		if k == 0 {
			ink = in
		}
		a = view(bufA, n, ink)
		d.blockBackPass(k, rec, da, dp, a)
		addMatTMul(dp, a, d.Linear[k].Weight.G)
		da = view(bufDA, n, ink)
		matMul(dp, d.Linear[k].Weight.W, da)
	}
	dyt := NewMatrix(n, d.cfg.YDim)
	d.inputBackPass(rec, da, dyt)
	dT := d.Time.scatter(da, rec.idx, rec.nuniq, d.cfg.YDim)
	d.ws.giveSlab(rec.slab)
	d.Time.backwardTable(tape, dT)
	return dyt
}

// blockBackPass takes da = dL/da_{k+1} through block k's LayerNorm and SiLU
// into dp = dL/dpre_k, accumulating the LayerNorm's and the Linear bias's
// gradients, and recomputes the block's input a_k into a.
func (d *Denoiser) blockBackPass(k int, rec *denoiserRecord, da, dp, a *Matrix) {
	h := da.Cols
	nc := numChunks(da.Rows)
	parts := d.ws.zero64(0, 3*nc*h)
	norm := d.Norm[k]
	g := norm.Gamma.W.Data
	xin, gin, bin := rec.xhatIn, d.NormIn.Gamma.W.Data, d.NormIn.Beta.W.Data
	if k > 0 {
		xin, gin, bin = rec.xhat[k-1], d.Norm[k-1].Gamma.W.Data, d.Norm[k-1].Beta.W.Data
	}
	forChunks(da.Rows, h, func(c, lo, hi int) {
		dg := parts[c*h : (c+1)*h]
		db := parts[(nc+c)*h : (nc+c+1)*h]
		dbias := parts[(2*nc+c)*h : (2*nc+c+1)*h]
		for i := lo; i < hi; i++ {
			row := dp.Row(i)
			lnBackwardRow(da.Row(i), rec.xhat[k].Row(i), g, rec.rstd[k][i], row, dg, db)
			actBackwardRow(ActSiLU, row, rec.pre[k].Row(i), row, dbias)
			affineRow(xin.Row(i), gin, bin, a.Row(i))
		}
	})
	sumPartials(norm.Gamma.G.Data, parts[:nc*h], nc)
	sumPartials(norm.Beta.G.Data, parts[nc*h:2*nc*h], nc)
	sumPartials(d.Linear[k].Bias.G.Data, parts[2*nc*h:], nc)
}

// inputBackPass takes da = dL/da_0 through the input LayerNorm in place,
// accumulating its gradients, and copies the y_t columns into dyt.
func (d *Denoiser) inputBackPass(rec *denoiserRecord, da, dyt *Matrix) {
	in := da.Cols
	nc := numChunks(da.Rows)
	parts := d.ws.zero64(0, 2*nc*in)
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
	sumPartials(d.NormIn.Gamma.G.Data, parts[:nc*in], nc)
	sumPartials(d.NormIn.Beta.G.Data, parts[nc*in:], nc)
}

// affineRow sets out = γ⊙x̂ + β, a LayerNorm's output from its saved x̂.
func affineRow(xhat, g, b, out []float32) {
	out = out[:len(xhat)]
	g, b = g[:len(xhat)], b[:len(xhat)]
	for j, v := range xhat {
		out[j] = g[j]*v + b[j]
	}
}

// affinePass applies affineRow to every row.
func affinePass(xhat *Matrix, g, b []float32, out *Matrix) {
	forChunks(xhat.Rows, xhat.Cols, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			affineRow(xhat.Row(i), g, b, out.Row(i))
		}
	})
}

// colSumPass adds the column sums of m into dst (float64 per-chunk partials
// summed in chunk order).
func colSumPass(m *Matrix, dst []float32, ws *workspace) {
	c := m.Cols
	nc := numChunks(m.Rows)
	parts := ws.zero64(0, nc*c)
	forChunks(m.Rows, c, func(k, lo, hi int) {
		part := parts[k*c : (k+1)*c]
		for i := lo; i < hi; i++ {
			for j, v := range m.Row(i) {
				part[j] += float64(v)
			}
		}
	})
	sumPartials(dst, parts, nc)
}
