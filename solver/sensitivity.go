package solver

import (
	"gonum.org/v1/gonum/mat"
)

// weights returns w_j = −u_zᵀ g_j. Under KinkExact each tied sample's
// gradient in its kinked coordinate is replaced by the subgradient that
// makes stationarity (1/M)Σ_j g_j + Gᵀλ + Aᵀν = 0 exact: the weights of that
// coordinate then sum to zero, like a built-in baseline, instead of
// depending on which side of the kink rounding left z.
func (d *differ) weights(uz []float64, isKinked bool) []float64 {
	grads := mat.NewDense(d.m, d.n, nil)
	for j := 0; j < d.m; j++ {
		d.p.Grad(grads.RawRowView(j), d.y.RawRowView(j), d.sol.Z)
	}
	if isKinked && d.o.Kinks == KinkExact && len(d.sol.Kinks) > 0 {
		r := d.stationarity(grads)
		for _, k := range d.sol.Kinks {
			row := grads.RawRowView(k.Sample)
			row[k.Coord] -= float64(d.m) * r[k.Coord]
		}
	}
	w := make([]float64, d.m)
	for j := range w {
		w[j] = -dot(uz, grads.RawRowView(j))
	}
	return w
}

// stationarity returns (1/M)Σ_j g_j + Gᵀλ + Aᵀν.
func (d *differ) stationarity(grads *mat.Dense) []float64 {
	r := make([]float64, d.n)
	for j := 0; j < d.m; j++ {
		for i, v := range grads.RawRowView(j) {
			r[i] += v / float64(d.m)
		}
	}
	d.rs.g.mulTransAdd(r, d.sol.Lambda)
	d.rs.a.mulTransAdd(r, d.sol.Nu)
	return r
}

// dy returns dL/dy_j = −(1/M) D_jᵀ u_z for every sample, plus u_μ in the
// pinned coordinate of each pinned sample (the pin z_h − y_sh = 0 has
// derivative −1 in y_sh). The reference form averages D over groups.
func (d *differ) dy(uz, upin []float64) *mat.Dense {
	out := mat.NewDense(d.m, d.n, nil)
	apply := d.transposer()
	if rf, ok := d.p.(referenceForm); ok && d.o.Mixed == MixedReference && rf.referenceAveraged() {
		d.dyAveraged(out, uz, apply)
		return out
	}
	for j := 0; j < d.m; j++ {
		row := out.RawRowView(j)
		apply(row, d.y.RawRowView(j), d.sol.Z, uz)
		for k := range row {
			row[k] *= -1 / float64(d.m)
		}
	}
	for r, v := range upin {
		k := d.sol.Kinks[r]
		out.Set(k.Sample, k.Coord, out.At(k.Sample, k.Coord)+v)
	}
	return out
}

// transposer returns the function dst = D_jᵀu for the selected form.
func (d *differ) transposer() func(dst, y, z, u []float64) {
	if rf, ok := d.p.(referenceForm); ok && d.o.Mixed == MixedReference {
		return rf.referenceMixedTransVec
	}
	if mt, ok := d.p.(mixedTransposer); ok {
		return mt.mixedTransVec
	}
	dm := mat.NewDense(d.n, d.n, nil)
	return func(dst, y, z, u []float64) {
		d.p.Mixed(dm, y, z)
		mulTransVec(dst, dm, u, 1)
	}
}

// dyAveraged applies the reference's per-group averaged mixed derivative
// D̄ = mean_j D_j to every sample of its group with scale 1/Group:
// dL/dy_j = −(1/Group) D̄ᵀu.
func (d *differ) dyAveraged(out *mat.Dense, uz []float64, apply func(dst, y, z, u []float64)) {
	group := d.o.Group
	if group <= 0 {
		group = d.m
	}
	row, tmp := make([]float64, d.n), make([]float64, d.n)
	scale := -1 / float64(group*group)
	for g0 := 0; g0 < d.m; g0 += group {
		clear(row)
		for j := g0; j < g0+group; j++ {
			apply(tmp, d.y.RawRowView(j), d.sol.Z, uz)
			for k, v := range tmp {
				row[k] += scale * v
			}
		}
		for j := g0; j < g0+group; j++ {
			copy(out.RawRowView(j), row)
		}
	}
}

// mulTransVec sets dst = scale·Dᵀu.
func mulTransVec(dst []float64, dm *mat.Dense, u []float64, scale float64) {
	clear(dst)
	for i, ui := range u {
		if ui == 0 {
			continue
		}
		for k, v := range dm.RawRowView(i) {
			dst[k] += scale * ui * v
		}
	}
}
