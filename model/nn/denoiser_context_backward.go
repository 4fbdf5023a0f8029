package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// ctxBackward is the backward pass of a factored first layer (see
// denoiser_context.go for the notation). Given dz = dL/dz_r (rows × h, the
// bias gradient already taken) and u_R (rows × dr, recomputed), it adds the
// gradients of W, γ_in and β_in, leaves dL/dv_R in dv (rows × dr) and copies
// its y_t columns into dyt.
//
// With u_r = [u_R, rstd_r·γ_X⊙x̃_g + m_r·γ_X + β_X], the x columns of
// dW = Σ_r dz_r u_rᵀ are Σ_g D_g(γ_X⊙x̃_g)ᵀ + s_m γ_Xᵀ + s_1 β_Xᵀ with the
// per-context sums D_g = Σ_{r∈g} rstd_r·dz_r and the totals
// s_m = Σ_r m_r·dz_r, s_1 = Σ_r dz_r: one GEMM of the stacked sums
// [D; s_m; s_1] with the stacked rows [γ_X⊙x̃; γ_X; β_X] of the forward
// pass. The x part of du_r = Wᵀdz_r is never formed: the same stacked sums
// times W_X give Σ_g (W_XᵀD_g)⊙x̃_g + W_Xᵀs_m = dγ_X and W_Xᵀs_1 = dβ_X,
// and the LayerNorm's row means over the x block are the dot products
// Σ_X du⊙γ = dz_r·(W_Xγ_X) and Σ_X du⊙γ⊙v̂ = rstd_r·dz_r·W_X(γ_X⊙x̃_g) +
// m_r·dz_r·(W_Xγ_X), read from the forward pass's projections.
func (d *Denoiser) ctxBackward(c *ctxRecord, dz, u, dv, dyt *Matrix) {
	lin := d.Linear[0]
	w, gw := lin.Weight.W, lin.Weight.G
	dr, dx, h := u.Cols, d.cfg.XDim, d.cfg.Hidden
	nctx := c.xc.Rows
	sums := view(d.ws.buf32(slotCtxSums, (nctx+2)*h), nctx+2, h)
	d.ws.gemm.both(func() { addGemmTN(dz, u, colsOf(gw, 0, dr)) }, func() {
		d.ctxSums(c, dz, sums)
		gemmNN(dz, colsOf(w, 0, dr), dv)
	})
	if dx > 0 {
		rows := view(d.ws.buf32(slotCtxRows, (nctx+2)*dx), nctx+2, dx)
		d.ctxRows(c, rows)
		e := view(d.ws.buf32(slotCtxE, (nctx+2)*dx), nctx+2, dx)
		d.ws.gemm.both(func() { addGemmTN(sums, rows, colsOf(gw, dr, w.Cols)) }, func() {
			gemmNN(sums, colsOf(w, dr, w.Cols), e)
			d.ctxNormGrads(c, e)
		})
	}
	d.rowPartBackPass(c, dz, dv, dyt)
}

// ctxSums sets the stacked sums of dz: row g = Σ_{r∈g} rstd_r·dz_r per
// context, then s_m = Σ_r m_r·dz_r and s_1 = Σ_r dz_r. Each context's sums
// run in row order on one goroutine (float32, like the per-chunk partials
// of sumPartials), and the totals add the contexts' partials in float64 in
// context order, so the bits do not depend on the number of workers.
func (d *Denoiser) ctxSums(c *ctxRecord, dz, sums *Matrix) {
	h, nctx, g := dz.Cols, c.xc.Rows, c.group
	parts := d.ws.zero32(slotParts, 2*nctx*h)
	forChunks(nctx, g*h, func(_, lo, hi int) {
		for k := lo; k < hi; k++ {
			dk, pm, p1 := sums.Row(k), parts[k*h:(k+1)*h], parts[(nctx+k)*h:(nctx+k+1)*h]
			clear(dk)
			for i := k * g; i < (k+1)*g; i++ {
				r, m, row := c.rstd[i], c.shift[i], dz.Row(i)
				row = row[:len(dk)]
				for j, v := range row {
					dk[j] += r * v
					pm[j] += m * v
					p1[j] += v
				}
			}
		}
	})
	clear(sums.Row(nctx))
	clear(sums.Row(nctx + 1))
	sumPartials(sums.Row(nctx), parts[:nctx*h], nctx, &d.ws)
	sumPartials(sums.Row(nctx+1), parts[nctx*h:], nctx, &d.ws)
}

// ctxRows recomputes the forward pass's stacked rows [γ_X⊙x̃; γ_X; β_X].
func (d *Denoiser) ctxRows(c *ctxRecord, rows *Matrix) {
	dr := d.cfg.YDim + d.cfg.TimeDim
	g, b := d.NormIn.Gamma.W.Data[dr:], d.NormIn.Beta.W.Data[dr:]
	nctx := c.xc.Rows
	for k := range nctx {
		out := rows.Row(k)
		for j, v := range c.xc.Row(k) {
			out[j] = g[j] * v
		}
	}
	copy(rows.Row(nctx), g)
	copy(rows.Row(nctx+1), b)
}

// ctxNormGrads adds the input LayerNorm's x-block gradients from
// e = [D; s_m; s_1]·W_X: dγ_X = Σ_g e_g⊙x̃_g + e_m, dβ_X = e_1, summed in
// float64.
func (d *Denoiser) ctxNormGrads(c *ctxRecord, e *Matrix) {
	dr := d.cfg.YDim + d.cfg.TimeDim
	nctx := c.xc.Rows
	acc := d.ws.zero64(slot64Ctx, e.Cols)
	for k := range nctx {
		ek := e.Row(k)
		for j, v := range c.xc.Row(k) {
			acc[j] += float64(ek[j]) * float64(v)
		}
	}
	dg, db := d.NormIn.Gamma.G.Data[dr:], d.NormIn.Beta.G.Data[dr:]
	em, e1 := e.Row(nctx), e.Row(nctx+1)
	for j, a := range acc {
		dg[j] += float32(a + float64(em[j]))
		db[j] += e1[j]
	}
}

// rowPartBackPass takes du_R (in dv) through the input LayerNorm's row
// block in place, dv = rstd·(du⊙γ_R − mean(du⊙γ) − v̂_R·mean(du⊙γ⊙v̂)) with
// the means over the whole row (the x block's shares from the projections,
// see ctxBackward), accumulates dγ_R and dβ_R, and copies the y_t columns
// into dyt.
func (d *Denoiser) rowPartBackPass(c *ctxRecord, dz, dv, dyt *Matrix) {
	dr, yd := dv.Cols, d.cfg.YDim
	n := float64(d.cfg.In())
	nc := numChunks(dv.Rows)
	parts := d.ws.zero32(slotParts, 2*nc*dr)
	gamma := d.NormIn.Gamma.W.Data[:dr]
	ax := c.proj.Row(c.xc.Rows)
	forChunks(dv.Rows, dr+2*dz.Cols, func(ch, lo, hi int) {
		dg, db := parts[ch*dr:(ch+1)*dr], parts[(nc+ch)*dr:(nc+ch+1)*dr]
		for i := lo; i < hi; i++ {
			row, vh := dv.Row(i), c.vhat.Row(i)
			q1, q2 := dot2(dz.Row(i), ax, c.proj.Row(i/c.group))
			for j, u := range row {
				dg[j] += u * vh[j]
				db[j] += u
			}
			sg, sgx := gradMoments(row, gamma, vh)
			r, m := float64(c.rstd[i]), float64(c.shift[i])
			mg := float32((sg + q1) / n)
			mgx := float32((sgx + r*q2 + m*q1) / n)
			rs := c.rstd[i]
			for j, u := range row {
				row[j] = rs * (u*gamma[j] - mg - vh[j]*mgx)
			}
			copy(dyt.Row(i), row[:yd])
		}
	})
	sumPartials(d.NormIn.Gamma.G.Data[:dr], parts[:nc*dr], nc, &d.ws)
	sumPartials(d.NormIn.Beta.G.Data[:dr], parts[nc*dr:], nc, &d.ws)
}

// dot2 returns z·a and z·b in float64, four accumulators each.
func dot2(z, a, b []float32) (za, zb float64) {
	n := len(z)
	a, b = a[:n], b[:n]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	j := 0
	for ; j+4 <= n; j += 4 {
		z0, z1, z2, z3 := float64(z[j]), float64(z[j+1]), float64(z[j+2]), float64(z[j+3])
		a0, a1, a2, a3 = a0+z0*float64(a[j]), a1+z1*float64(a[j+1]), a2+z2*float64(a[j+2]), a3+z3*float64(a[j+3])
		b0, b1, b2, b3 = b0+z0*float64(b[j]), b1+z1*float64(b[j+1]), b2+z2*float64(b[j+2]), b3+z3*float64(b[j+3])
	}
	for ; j < n; j++ {
		a0 += float64(z[j]) * float64(a[j])
		b0 += float64(z[j]) * float64(b[j])
	}
	return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)
}

// addGemmTN adds aᵀ·b into the BLAS view c in one BLAS call (a weight
// gradient's column block).
func addGemmTN(a, b *Matrix, c blas32.General) {
	if a.Rows == 0 || c.Rows == 0 || c.Cols == 0 {
		return
	}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, a.General(), b.General(), 1, c)
}

// gemmNN sets c = a·b for a BLAS view b (a weight matrix's column block) in
// one BLAS call.
func gemmNN(a *Matrix, b blas32.General, c *Matrix) {
	if c.Rows == 0 || c.Cols == 0 {
		return
	}
	if a.Cols == 0 {
		clear(c.Data)
		return
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a.General(), b, 0, c.General())
}
