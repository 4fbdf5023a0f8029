package nn

import (
	"math/rand/v2"
	"testing"
)

// checkModule runs m forward and backward on x and checks the output against
// the float64 reference and every parameter and input gradient against
// finite differences of it.
func checkModule(t *testing.T, name string, m Module, x *Matrix, rng *rand.Rand) {
	t.Helper()
	tape := &Tape{}
	out := m.Forward(x, tape)
	v := paramVals(m.Params())
	x64, xflat := rows64(x)
	assertClose(t, name, out, refModule(m, v, x64), 1e-5)
	w := randMatrix(rng, out.Rows, out.Cols, 1)
	ZeroGrad(m.Params())
	dx := m.Backward(tape, w)
	if tape.Len() != 0 || tape.Bytes() != 0 {
		t.Fatalf("%s: tape not empty after backward: %d records, %d bytes", name, tape.Len(), tape.Bytes())
	}
	loss := func() float64 { return dot(w, refModule(m, v, x64)) }
	for _, p := range m.Params() {
		fdCheck(t, name+" "+p.Name, v[p], nil, p.G.Data, loss)
	}
	fdCheck(t, name+" dx", xflat, nil, dx.Data, loss)
}

func TestLinearGradients(t *testing.T) {
	for _, act := range []Activation{ActIdentity, ActReLU, ActSiLU} {
		t.Run(act.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(act)))
			l := NewLinear("l", 7, 5, act, rng)
			checkModule(t, "Linear", l, randMatrix(rng, 70, 7, 1), rng)
		})
	}
}

func TestLayerNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	ln := NewLayerNorm("ln", 9)
	perturb(ln.Gamma, rng, 1, 0.5)
	perturb(ln.Beta, rng, 0, 0.5)
	checkModule(t, "LayerNorm", ln, randMatrix(rng, 70, 9, 2), rng)
}

func TestActivationGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	checkModule(t, "SiLU", SiLU{}, randMatrix(rng, 70, 6, 3), rng)
	checkModule(t, "ReLU", ReLU{}, randMatrix(rng, 70, 6, 3), rng)
}

func TestMLPGradients(t *testing.T) {
	for _, cfg := range []MLPConfig{
		{Sizes: []int{6, 11, 9, 4}, Act: ActReLU},
		{Sizes: []int{6, 11, 9, 4}, Act: ActSiLU, LayerNorm: true},
		{Sizes: []int{5, 3}, Act: ActSiLU},
	} {
		rng := rand.New(rand.NewPCG(4, uint64(len(cfg.Sizes))))
		m := NewMLP(cfg, rng)
		for _, p := range m.Params() {
			if p.Name[len(p.Name)-6:] == "weight" && p.W.Rows == 1 {
				perturb(p, rng, 1, 0.3) // LayerNorm γ
			}
		}
		checkModule(t, "MLP", m, randMatrix(rng, 70, cfg.Sizes[0], 1), rng)
	}
}

func TestMLPStructure(t *testing.T) {
	m := NewMLP(MLPConfig{Sizes: []int{6, 11, 9, 4}, Act: ActReLU, LayerNorm: true}, rand.New(rand.NewPCG(1, 1)))
	// Linear, LN, Linear, LN, Linear; the last without activation.
	if len(m.Layers) != 5 {
		t.Fatalf("%d layers, want 5", len(m.Layers))
	}
	if last := m.Layers[4].(*Linear); last.Act != ActIdentity || last.Out != 4 {
		t.Errorf("output layer act %v out %d, want identity 4", last.Act, last.Out)
	}
	if got := NumParams(m.Params()); got != 6*11+11+22+11*9+9+18+9*4+4 {
		t.Errorf("%d parameters", got)
	}
	if err := (MLPConfig{Sizes: []int{3}, Act: ActReLU}).Validate(); err == nil {
		t.Error("one-size MLP accepted")
	}
}

func TestLayerNormHandComputed(t *testing.T) {
	// x = [1 2 3 4]: μ = 2.5, σ² = 1.25, rstd = 1/√(1.25+1e-5) = 0.894423613;
	// x̂ = [−1.5 −0.5 0.5 1.5]·rstd; y = γ⊙x̂ + β.
	ln := NewLayerNorm("", 4)
	copy(ln.Gamma.W.Data, []float32{1, 2, 0.5, -1})
	copy(ln.Beta.W.Data, []float32{0, 0.1, 0, 0.2})
	out := ln.Forward(&Matrix{Rows: 1, Cols: 4, Data: []float32{1, 2, 3, 4}}, nil)
	want := []float32{-1.34163542, -0.794423613, 0.223605903, -1.14163542}
	for j, w := range want {
		if d := out.Data[j] - w; d > 1e-6 || d < -1e-6 {
			t.Errorf("y[%d] = %.9g, want %.9g", j, out.Data[j], w)
		}
	}
}
