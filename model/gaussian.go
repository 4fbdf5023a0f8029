package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Gaussian is the diagonal Gaussian predictor p_θ(y | x) =
// N(μ(x), diag exp(logvar(x))) of the baselines (synthetic.md §6, power.md §5,
// portfolio.md §3.5): a shared trunk (reference: Linear–ReLU–Linear–ReLU)
// with two linear heads.
type Gaussian struct {
	Trunk  nn.Module // x → h
	Mu     nn.Module // h → μ
	LogVar nn.Module // h → log σ²
	Config GaussianConfig
}

// Params lists the trunk's, then μ's, then log σ²'s parameters.
func (g *Gaussian) Params() []*nn.Param {
	return concatParams(g.Trunk, g.Mu, g.LogVar)
}

func concatParams(ms ...nn.Module) []*nn.Param {
	var ps []*nn.Param
	for _, m := range ms {
		ps = append(ps, m.Params()...)
	}
	return ps
}

// Forward returns μ and log σ² for each row of x.
func (g *Gaussian) Forward(x *nn.Matrix, tape *nn.Tape) (mu, logvar *nn.Matrix) {
	h := g.Trunk.Forward(x, tape)
	mu = g.Mu.Forward(h, tape).Clone()
	logvar = g.LogVar.Forward(h, tape).Clone()
	return mu, logvar
}

// Backward pops one Forward and adds dL/dθ for the upstream gradients
// dL/dμ and dL/dlog σ² into the parameters' G.
func (g *Gaussian) Backward(tape *nn.Tape, dMu, dLogVar *nn.Matrix) {
	dh := g.LogVar.Backward(tape, dLogVar).Clone()
	dh2 := g.Mu.Backward(tape, dMu)
	for i, v := range dh2.Data {
		dh.Data[i] += v
	}
	g.Trunk.Backward(tape, dh)
}

// varFloor is the variance clamp of PyTorch's GaussianNLLLoss (eps = 1e−6).
const varFloor = 1e-6

// NLL returns PyTorch's GaussianNLLLoss(full = True, reduction = mean) of
// targets y (one row per row of x), with v = max(exp(logvar), 1e−6):
// mean over rows and dims of ½(log v + (y−μ)²/v) + ½ log 2π. It adds
// scale·∇_θ NLL into the parameters' G (scale = 0 only evaluates). As in
// PyTorch the clamp is applied without gradient: the derivative is that of
// the unclamped formula evaluated at the clamped v, times dv/dlogvar = exp(logvar).
func (g *Gaussian) NLL(x, y *nn.Matrix, scale float64) float64 {
	var tape *nn.Tape
	if scale != 0 {
		tape = &nn.Tape{}
	}
	mu, lv := g.Forward(x, tape)
	checkShape("y", y, mu.Rows, mu.Cols)
	n := float64(len(mu.Data))
	dMu, dLv := nn.NewMatrix(mu.Rows, mu.Cols), nn.NewMatrix(mu.Rows, mu.Cols)
	var sum float64
	for i, m := range mu.Data {
		e := math.Exp(float64(lv.Data[i]))
		v := math.Max(e, varFloor)
		r := float64(y.Data[i]) - float64(m)
		sum += 0.5 * (math.Log(v) + r*r/v)
		dMu.Data[i] = float32(-scale * r / v / n)
		dLv.Data[i] = float32(scale * 0.5 * (1/v - r*r/(v*v)) * e / n)
	}
	if tape != nil {
		g.Backward(tape, dMu, dLv)
	}
	return sum/n + 0.5*math.Log(2*math.Pi)
}

// Sample draws m samples per row of x, y = μ + exp(½ logvar)·ε, without
// gradient. Row b·m + j is sample j of context b; ε is drawn row by row.
// Samples are float32: where logvar > 2·log(MaxFloat32) ≈ 177.4 (σ beyond
// 3.4e38, a diverged predictor) the entry is ±Inf, or NaN where ε = 0.
// Sample does not clamp such values; the solver rejects them (ErrNaN), and
// callers that need finite draws check them (SampleReparam is the same).
func (g *Gaussian) Sample(x *nn.Matrix, m int, rng *rand.Rand) *nn.Matrix {
	mu, lv := g.Forward(x, nil)
	y, _ := gaussianDraw(mu, lv, m, rng)
	return y
}

func gaussianDraw(mu, lv *nn.Matrix, m int, rng *rand.Rand) (y, eps *nn.Matrix) {
	eps = nn.NewMatrix(mu.Rows*m, mu.Cols)
	fillNormal(eps.Data, rng)
	y = nn.NewMatrix(mu.Rows*m, mu.Cols)
	for i := 0; i < y.Rows; i++ {
		b := i / m
		mr, lr, er, yr := mu.Row(b), lv.Row(b), eps.Row(i), y.Row(i)
		for d := range yr {
			yr[d] = mr[d] + float32(math.Exp(0.5*float64(lr[d])))*er[d]
		}
	}
	return y, eps
}

// GaussianDraw is a batch of reparameterized samples that can back-propagate
// per-sample gradients into the predictor.
type GaussianDraw struct {
	g       *Gaussian
	tape    *nn.Tape
	lv, eps *nn.Matrix
	m       int
	y       *nn.Matrix
	used    bool
}

// SampleReparam draws m samples per row of x like Sample (same draws) and
// keeps what Backward needs.
func (g *Gaussian) SampleReparam(x *nn.Matrix, m int, rng *rand.Rand) *GaussianDraw {
	tape := &nn.Tape{}
	mu, lv := g.Forward(x, tape)
	y, eps := gaussianDraw(mu, lv, m, rng)
	return &GaussianDraw{g: g, tape: tape, lv: lv, eps: eps, m: m, y: y}
}

// Samples returns the samples (row b·m + j ↔ sample j of context b).
func (d *GaussianDraw) Samples() *nn.Matrix { return d.y }

// Backward adds dL/dθ for per-sample upstream gradients dY = dL/dy:
// dL/dμ_b = Σ_j dY_bj and dL/dlogvar_b = Σ_j dY_bj ⊙ ε_bj ⊙ ½σ_b.
// A draw can be back-propagated once.
func (d *GaussianDraw) Backward(dY *nn.Matrix) error {
	if d.used {
		panic("model: GaussianDraw.Backward called twice")
	}
	d.used = true
	checkShape("dL/dy", dY, d.y.Rows, d.y.Cols)
	if !finite(dY.Data) {
		return fmt.Errorf("%w: upstream gradient dL/dy is not finite", ErrNumeric)
	}
	dMu, dLv := nn.NewMatrix(d.lv.Rows, d.lv.Cols), nn.NewMatrix(d.lv.Rows, d.lv.Cols)
	for i := 0; i < dY.Rows; i++ {
		b := i / d.m
		gr, er, lr := dY.Row(i), d.eps.Row(i), d.lv.Row(b)
		mr, vr := dMu.Row(b), dLv.Row(b)
		for k, v := range gr {
			mr[k] += v
			vr[k] += v * er[k] * 0.5 * float32(math.Exp(0.5*float64(lr[k])))
		}
	}
	d.g.Backward(d.tape, dMu, dLv)
	d.tape = nil
	return nil
}
