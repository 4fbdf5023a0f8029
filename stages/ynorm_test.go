package stages

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// TestYNorm checks the standardization: training rows map to mean 0 and sd
// 1, raw → model → raw is the identity to float32 rounding, the metadata
// round-trips, and dL/du = sd⊙dL/dy (the chain rule through y = mean + sd⊙u).
func TestYNorm(t *testing.T) {
	y := mat.NewDense(4, 2, []float64{0.01, 5, -0.03, 7, 0.02, 6, 0, 10})
	n := fitYNorm(y)
	u := n.toModel(toNN(y))
	for j := 0; j < 2; j++ {
		var s, s2 float64
		for i := 0; i < 4; i++ {
			s += float64(u.At(i, j))
			s2 += float64(u.At(i, j)) * float64(u.At(i, j))
		}
		if math.Abs(s/4) > 1e-6 || math.Abs(s2/4-1) > 1e-5 {
			t.Errorf("column %d: mean %g, variance %g in model units", j, s/4, s2/4)
		}
	}
	back := n.toRaw(u)
	if !mat.EqualApprox(back, y, 1e-5) {
		t.Errorf("round trip %v, want %v", mat.Formatted(back), mat.Formatted(y))
	}
	parsed, err := parseYNorm(n.metaValue())
	if err != nil || !floatsClose(parsed.Mean, n.Mean, 0) || !floatsClose(parsed.SD, n.SD, 0) {
		t.Errorf("metadata round trip: %v, %v", parsed, err)
	}
	if none, err := parseYNorm(metaNone); none != nil || err != nil {
		t.Errorf("%q parses as %v, %v", metaNone, none, err)
	}
	// L(u) = Σ c⊙y(u): dL/du = c⊙sd, by central differences.
	c := mat.NewDense(1, 2, []float64{0.7, -1.3})
	got := n.gradToModel(c)
	for j := 0; j < 2; j++ {
		const h = 1e-3
		up, um := nn.NewMatrix(1, 2), nn.NewMatrix(1, 2)
		up.Data[j], um.Data[j] = h, -h
		lp := mat.Dot(c.RowView(0), n.toRaw(up).RowView(0))
		lm := mat.Dot(c.RowView(0), n.toRaw(um).RowView(0))
		if fd := (lp - lm) / (2 * h); math.Abs(fd-float64(got.Data[j])) > 1e-4*math.Abs(fd) {
			t.Errorf("dL/du[%d] = %g, finite difference %g", j, got.Data[j], fd)
		}
	}
	var none *yNorm
	if none.toRaw(u).At(1, 1) != float64(u.At(1, 1)) || none.metaValue() != metaNone {
		t.Error("the nil normalization is not the identity")
	}
}
