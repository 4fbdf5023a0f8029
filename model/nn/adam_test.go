package nn

import (
	"math"
	"testing"
)

// TestAdamTwoSteps replays two steps on θ = [1, −2, 0.5] with gradients
// [0.5, −1, 0] then [0.1, 0.3, −0.2], lr 0.1, β = (0.9, 0.999), ε = 1e-8,
// against values worked out by hand from PyTorch's update rule. Step 1 of
// Adam: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g², so θ moves by lr·sign(g) (and
// not at all where g = 0). Step 2, third entry: m = −0.02, v = 4e-5,
// m̂ = −0.02/0.19, v̂ = 4e-5/0.001999, θ = 0.5 + 0.1·0.105263/0.141457.
func TestAdamTwoSteps(t *testing.T) {
	for _, c := range []struct {
		name      string
		wd        float64
		decoupled bool
		want      [2][3]float64
	}{
		{"adam", 0, false, [2][3]float64{{0.9, -1.9, 0.5}, {0.819695906, -1.85721514, 0.574413677}}},
		// L2: g ← g + 0.1θ before the moments.
		{"adam-l2", 0.1, false, [2][3]float64{{0.9, -1.9, 0.4}, {0.813648345, -1.84007036, 0.45105249}}},
		// Decoupled: θ ← θ(1 − 0.01) before the Adam step.
		{"adamw", 0.1, true, [2][3]float64{{0.89, -1.88, 0.495}, {0.800795906, -1.81841514, 0.564463677}}},
	} {
		p := newParam("p", 1, 3)
		copy(p.W.Data, []float32{1, -2, 0.5})
		var opt *Adam
		if c.decoupled {
			opt = NewAdamW([]*Param{p}, 0.1, c.wd)
		} else {
			opt = NewAdam([]*Param{p}, 0.1)
			opt.WeightDecay = c.wd
		}
		for step, g := range [2][]float32{{0.5, -1, 0}, {0.1, 0.3, -0.2}} {
			copy(p.G.Data, g)
			opt.Step()
			for i, w := range c.want[step] {
				if d := math.Abs(float64(p.W.Data[i]) - w); d > 2e-6 {
					t.Errorf("%s step %d θ[%d] = %.9g, want %.9g", c.name, step+1, i, p.W.Data[i], w)
				}
			}
		}
		if opt.Steps() != 2 {
			t.Errorf("%s: %d steps", c.name, opt.Steps())
		}
		opt.ZeroGrad()
		if p.G.Data[0] != 0 || p.G.Data[2] != 0 {
			t.Errorf("%s: ZeroGrad left %v", c.name, p.G.Data)
		}
	}
}

// TestAdamLargeParamsMatchesSmall checks that the chunked, parallel update
// of a large parameter equals the update of its pieces one at a time.
func TestAdamLargeParamsMatchesSmall(t *testing.T) {
	n := 5*flatChunkLen + 17
	big := newParam("big", 1, n)
	small := make([]*Param, 0, 4)
	for i := range 4 {
		small = append(small, newParam("s", 1, n/4+boolInt(i == 3)*(n%4)))
	}
	for i := range n {
		big.W.Data[i] = float32(math.Sin(float64(i)))
		big.G.Data[i] = float32(math.Cos(float64(3 * i)))
	}
	off := 0
	for _, p := range small {
		off += copy(p.W.Data, big.W.Data[off:])
	}
	off = 0
	for _, p := range small {
		off += copy(p.G.Data, big.G.Data[off:])
	}
	a, b := NewAdamW([]*Param{big}, 1e-3, 1e-2), NewAdamW(small, 1e-3, 1e-2)
	for range 3 {
		a.Step()
		b.Step()
	}
	off = 0
	for _, p := range small {
		for i, w := range p.W.Data {
			if w != big.W.Data[off+i] {
				t.Fatalf("element %d: %g vs %g", off+i, w, big.W.Data[off+i])
			}
		}
		off += len(p.W.Data)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
