package nn

import "math"

// Adam is the Adam optimizer with PyTorch's semantics (torch.optim.Adam and,
// with Decoupled set, torch.optim.AdamW). For step t, gradient g and
// parameter θ:
//
//	AdamW:  θ ← θ·(1 − lr·wd)                (decoupled weight decay)
//	Adam:   g ← g + wd·θ                     (L2 penalty, when wd ≠ 0)
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
//
// State and arithmetic are float32 like PyTorch's; the bias corrections are
// computed in float64 and rounded, as PyTorch does with Python floats. The
// division by √(1−β₂ᵗ) is a multiplication by its reciprocal (one float32
// rounding apart from PyTorch), which saves a division per parameter.
type Adam struct {
	LR          float64
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64
	Decoupled   bool // AdamW

	params []*Param
	m, v   [][]float32
	t      int
	kern   rowKernels // the process's row kernels (NewAdam), or a test's
}

// NewAdam returns Adam over params with PyTorch's defaults: β = (0.9,
// 0.999), ε = 1e-8, no weight decay.
func NewAdam(params []*Param, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: params, kern: rowKern}
	for _, p := range params {
		a.m = append(a.m, make([]float32, len(p.W.Data)))
		a.v = append(a.v, make([]float32, len(p.W.Data)))
	}
	return a
}

// NewAdamW returns AdamW (decoupled weight decay wd) with PyTorch's default
// betas and ε. PyTorch's default wd is 1e-2; the reference pretrains the
// synthetic denoiser with 1e-4.
func NewAdamW(params []*Param, lr, wd float64) *Adam {
	a := NewAdam(params, lr)
	a.WeightDecay, a.Decoupled = wd, true
	return a
}

// Steps is the number of steps taken.
func (a *Adam) Steps() int { return a.t }

// ZeroGrad zeroes the gradients of the optimized parameters.
func (a *Adam) ZeroGrad() { ZeroGrad(a.params) }

// adamCoef holds one step's float32 constants.
type adamCoef struct {
	b1, c1, b2, c2  float32 // β₁, 1−β₁, β₂, 1−β₂
	step, ibc2, eps float32 // lr/(1−β₁ᵗ), 1/√(1−β₂ᵗ), ε
	decay, l2       float32 // 1 − lr·wd (AdamW), wd (Adam)
}

// Step updates every parameter from its accumulated gradient.
func (a *Adam) Step() {
	a.t++
	t := float64(a.t)
	k := adamCoef{
		b1: float32(a.Beta1), c1: float32(1 - a.Beta1),
		b2: float32(a.Beta2), c2: float32(1 - a.Beta2),
		step: float32(a.LR / (1 - math.Pow(a.Beta1, t))),
		ibc2: float32(1 / math.Sqrt(1-math.Pow(a.Beta2, t))),
		eps:  float32(a.Eps), decay: 1,
	}
	if a.Decoupled {
		k.decay = float32(1 - a.LR*a.WeightDecay)
	} else {
		k.l2 = float32(a.WeightDecay)
	}
	for i, p := range a.params {
		w, g, m, v := p.W.Data, p.G.Data, a.m[i], a.v[i]
		forFlat(len(w), func(_, lo, hi int) {
			a.kern.adamUpdate(&k, w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi])
		})
	}
}

// adamUpdateGo applies one step to a range of parameters. The
// coefficients are copied to locals so the loop keeps them in registers.
func adamUpdateGo(k *adamCoef, w, g, m, v []float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	b1, c1, b2, c2 := k.b1, k.c1, k.b2, k.c2
	step, ibc2, eps, decay, l2 := k.step, k.ibc2, k.eps, k.decay, k.l2
	for i, th := range w {
		gi := g[i] + l2*th
		th *= decay
		mi := m[i]*b1 + gi*c1
		vi := v[i]*b2 + gi*gi*c2
		m[i], v[i] = mi, vi
		denom := float32(math.Sqrt(float64(vi)))*ibc2 + eps
		w[i] = th - step*(mi/denom)
	}
}
