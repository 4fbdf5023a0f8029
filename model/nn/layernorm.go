package nn

import (
	"fmt"
	"math"
)

// LayerNormEps is PyTorch's default ε in the LayerNorm variance.
const LayerNormEps = 1e-5

// LayerNorm normalizes each row to zero mean and unit variance and applies
// a per-column affine map: y = γ ⊙ (x − μ)/√(σ² + ε) + β, with the biased
// variance σ² = mean((x−μ)²), as PyTorch's nn.LayerNorm over the last axis.
type LayerNorm struct {
	Dim   int
	Eps   float64
	Gamma *Param // 1 × Dim, initialized to 1
	Beta  *Param // 1 × Dim, initialized to 0
	ws    workspace
}

// NewLayerNorm returns an affine LayerNorm with γ = 1, β = 0 and ε = 1e-5;
// parameters are named prefix+".weight" (γ) and prefix+".bias" (β) as in
// PyTorch.
func NewLayerNorm(prefix string, dim int) *LayerNorm {
	if dim <= 0 {
		panic(fmt.Errorf("%w: LayerNorm(%d)", ErrConfig, dim))
	}
	ln := &LayerNorm{
		Dim: dim, Eps: LayerNormEps,
		Gamma: newParam(join(prefix, "weight"), 1, dim),
		Beta:  newParam(join(prefix, "bias"), 1, dim),
	}
	for j := range ln.Gamma.W.Data {
		ln.Gamma.W.Data[j] = 1
	}
	return ln
}

// Params returns γ and β.
func (ln *LayerNorm) Params() []*Param { return []*Param{ln.Gamma, ln.Beta} }

// lnRecord is what LayerNorm keeps for backward: the normalized input
// x̂ = (x−μ)·rstd and the per-row inverse standard deviation rstd. The
// output γx̂+β is not kept; the next layer holds it as its input.
type lnRecord struct {
	ln   *LayerNorm
	xhat *Matrix
	rstd []float32
}

// TapeBytes counts x̂ and rstd.
func (r *lnRecord) TapeBytes() int64 { return 4 * int64(len(r.xhat.Data)+len(r.rstd)) }

// Forward normalizes every row of x.
func (ln *LayerNorm) Forward(x *Matrix, tape *Tape) *Matrix {
	mustCols("LayerNorm.Forward", x, ln.Dim)
	out := NewMatrix(x.Rows, ln.Dim)
	var rec *lnRecord
	if tape != nil {
		rec = &lnRecord{ln: ln, xhat: NewMatrix(x.Rows, ln.Dim), rstd: make([]float32, x.Rows)}
	}
	d := ln.Dim
	g, b := ln.Gamma.W.Data, ln.Beta.W.Data
	forChunks(x.Rows, d, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			var xhat []float32
			if rec != nil {
				xhat = rec.xhat.Data[i*d : (i+1)*d]
			}
			_, r := lnForwardRow(x.Data[i*d:(i+1)*d], g, b, ln.Eps, xhat, out.Data[i*d:(i+1)*d])
			if rec != nil {
				rec.rstd[i] = r
			}
		}
	})
	if tape != nil {
		tape.Push(rec)
	}
	return out
}

// Backward adds dL/dγ = Σ dy⊙x̂ and dL/dβ = Σ dy into the gradients and
// returns dL/dx (see lnBackwardRow).
func (ln *LayerNorm) Backward(tape *Tape, dy *Matrix) *Matrix {
	rec, ok := tape.Pop().(*lnRecord)
	if !ok || rec.ln != ln {
		panic(fmt.Errorf("%w: LayerNorm %s backward", ErrTape, ln.Gamma.Name))
	}
	mustSameShape("LayerNorm.Backward", rec.xhat, dy)
	dx := NewMatrix(dy.Rows, ln.Dim)
	d := ln.Dim
	nc := numChunks(dy.Rows)
	parts := ln.ws.zero32(0, 2*nc*d)
	forChunks(dy.Rows, d, func(c, lo, hi int) {
		dg := parts[c*d : (c+1)*d]
		db := parts[(nc+c)*d : (nc+c+1)*d]
		for i := lo; i < hi; i++ {
			lnBackwardRow(dy.Data[i*d:(i+1)*d], rec.xhat.Data[i*d:(i+1)*d], ln.Gamma.W.Data,
				rec.rstd[i], dx.Data[i*d:(i+1)*d], dg, db)
		}
	})
	sumPartials(ln.Gamma.G.Data, parts[:nc*d], nc, &ln.ws)
	sumPartials(ln.Beta.G.Data, parts[nc*d:], nc, &ln.ws)
	return dx
}

// lnForwardRow normalizes one row: out = γ⊙x̂ + β with x̂ = (x−μ)·rstd,
// rstd = 1/√(σ²+ε). The moments are accumulated in float64 (see
// rowMoments). x̂ is written when xhat is non-nil; out may alias x. It
// returns μ and rstd rounded to float32, the values it used:
// normRow(x, μ, rstd, …) recomputes out bit for bit.
func lnForwardRow(x, gamma, beta []float32, eps float64, xhat, out []float32) (mean, rstd float32) {
	n := len(x)
	gamma, beta, out = gamma[:n], beta[:n], out[:n]
	s, ss := rowKern.rowMoments(x)
	mu := s / float64(n)
	v := max(ss/float64(n)-mu*mu, 0)
	r := float32(1 / math.Sqrt(v+eps))
	m := float32(mu)
	if xhat != nil {
		xhat = xhat[:n]
		for j, v := range x {
			h := (v - m) * r
			xhat[j] = h
			out[j] = gamma[j]*h + beta[j]
		}
		return m, r
	}
	rowKern.normRow(x, m, r, gamma, beta, out)
	return m, r
}

// rowMomentsGo returns Σx and Σx² in float64. Squares of float32 values
// are exact in float64, so the one-pass variance Σx²/n − μ² loses accuracy
// only when |μ|/σ exceeds about 10⁶, far from what a LayerNorm sees. Four
// independent accumulators keep the loop from waiting on one addition.
func rowMomentsGo(x []float32) (sum, sumsq float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		a, b, c, d := float64(x[j]), float64(x[j+1]), float64(x[j+2]), float64(x[j+3])
		s0, s1, s2, s3 = s0+a, s1+b, s2+c, s3+d
		q0, q1, q2, q3 = q0+a*a, q1+b*b, q2+c*c, q3+d*d
	}
	for ; j < len(x); j++ {
		a := float64(x[j])
		s0, q0 = s0+a, q0+a*a
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// normRowGo sets out = γ⊙((x−μ)·rstd) + β for given statistics; out may
// alias x.
func normRowGo(x []float32, mean, rstd float32, gamma, beta, out []float32) {
	out = out[:len(x)]
	gamma, beta = gamma[:len(x)], beta[:len(x)]
	for j, v := range x {
		out[j] = gamma[j]*((v-mean)*rstd) + beta[j]
	}
}

// lnBackwardRow computes, for one row with g = dy⊙γ,
// dx = rstd·(g − mean(g) − x̂·mean(g⊙x̂)), and adds dy⊙x̂ into the γ partial
// sums dg and dy into the β partial sums db. dx may alias dy.
func lnBackwardRow(dy, xhat, gamma []float32, rstd float32, dx, dg, db []float32) {
	n := len(dy)
	xhat, gamma, dx, dg, db = xhat[:n], gamma[:n], dx[:n], dg[:n], db[:n]
	for j, d := range dy {
		dg[j] += d * xhat[j]
		db[j] += d
	}
	sg, sgx := gradMoments(dy, gamma, xhat)
	mg := float32(sg / float64(n))
	mgx := float32(sgx / float64(n))
	for j, d := range dy {
		dx[j] = rstd * (d*gamma[j] - mg - xhat[j]*mgx)
	}
}

// gradMoments returns Σ dy⊙γ and Σ dy⊙γ⊙x̂ in float64, with four
// accumulators each like rowMoments.
func gradMoments(dy, gamma, xhat []float32) (sg, sgx float64) {
	n := len(dy)
	gamma, xhat = gamma[:n], xhat[:n]
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	j := 0
	for ; j+4 <= n; j += 4 {
		a := float64(dy[j]) * float64(gamma[j])
		b := float64(dy[j+1]) * float64(gamma[j+1])
		c := float64(dy[j+2]) * float64(gamma[j+2])
		d := float64(dy[j+3]) * float64(gamma[j+3])
		s0, s1, s2, s3 = s0+a, s1+b, s2+c, s3+d
		q0 += a * float64(xhat[j])
		q1 += b * float64(xhat[j+1])
		q2 += c * float64(xhat[j+2])
		q3 += d * float64(xhat[j+3])
	}
	for ; j < n; j++ {
		a := float64(dy[j]) * float64(gamma[j])
		s0, q0 = s0+a, q0+a*float64(xhat[j])
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}
