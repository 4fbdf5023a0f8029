package datasets

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSyntheticReferenceDraw checks synthetic.md §1 and §7 on the exact torch
// draw: 89.68% positive components, test mean of Y 0.298, and the test loss
// of the decision z = 2·1, mean_i exp(−y_iᵀz) = 1.98709, with the 800/200 split.
func TestSyntheticReferenceDraw(t *testing.T) {
	d, err := LoadSyntheticReference(sharedData(t), SyntheticOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := d.X.Dims(); r != 1000 || c != 20 || d.Y.RawMatrix().Cols != 10 {
		t.Fatalf("X %d×%d, Y width %d", r, c, d.Y.RawMatrix().Cols)
	}
	if d.Count(Train) != 640 || d.Count(Hold) != 160 || d.Count(Test) != 200 {
		t.Fatalf("splits %d/%d/%d", d.Count(Train), d.Count(Hold), d.Count(Test))
	}
	for i := 800; i < 1000; i++ {
		if d.Split[i] != Test {
			t.Fatalf("row %d is %s", i, d.Split[i])
		}
	}
	pos := 0
	for _, v := range d.Y.RawMatrix().Data {
		if v > 0 {
			pos++
		}
	}
	if got := float64(pos) / 10000; got != 0.8968 {
		t.Errorf("fraction positive %v, want 0.8968", got)
	}
	var mean, loss float64
	for _, i := range d.Rows(Test) {
		s := 0.0
		for _, v := range d.Y.RawRowView(i) {
			mean += v
			s += v
		}
		loss += math.Exp(-2 * s)
	}
	mean /= 2000
	loss /= 200
	if !near(mean, 0.298, 5e-4) || !near(loss, 1.98709, 5e-6) {
		t.Errorf("test mean %.5f, z=2 loss %.6f; want 0.298, 1.98709", mean, loss)
	}
}

// TestSyntheticMoments checks the generator against the mixture's moments:
// P(y > 0) = 0.9, E y = 0.3, Var y = 0.3656 per coordinate (synthetic.md §1).
func TestSyntheticMoments(t *testing.T) {
	d, err := Synthetic(SyntheticOptions{N: 20000}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	ys := d.Y.RawMatrix().Data
	var pos, sum, sq float64
	for _, v := range ys {
		if v > 0 {
			pos++
		}
		sum += v
		sq += v * v
	}
	n := float64(len(ys))
	mean := sum / n
	variance := sq/n - mean*mean
	// Standard errors at n = 200000: 0.0007, 0.0014, 0.0016; tolerances are about 4 of them.
	if !near(pos/n, 0.9, 0.003) || !near(mean, 0.3, 0.006) || !near(variance, 0.3656, 0.007) {
		t.Errorf("P(y>0) %.4f, mean %.4f, var %.4f; want 0.9, 0.3, 0.3656", pos/n, mean, variance)
	}
	xs := d.X.RawMatrix().Data
	var xm, xv float64
	for _, v := range xs {
		xm += v
		xv += v * v
	}
	if !near(xm/float64(len(xs)), 0, 0.005) || !near(xv/float64(len(xs)), 1, 0.01) {
		t.Errorf("X mean %v, second moment %v", xm/float64(len(xs)), xv/float64(len(xs)))
	}
}

// TestSyntheticContext checks that Context makes the positive component more
// likely where the projection W x is large, and that Context = 0 does not.
func TestSyntheticContext(t *testing.T) {
	gap := func(context float64) float64 {
		o := SyntheticOptions{N: 5000, Context: context, ProjectionSeed: 7}
		d, err := Synthetic(o, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		W := ContextProjection(7, 10, 20)
		var proj mat.Dense
		proj.Mul(d.X, W.T())
		var hi, lo, nhi, nlo float64
		for k, v := range proj.RawMatrix().Data {
			pos := 0.0
			if d.Y.RawMatrix().Data[k] > 0 {
				pos = 1
			}
			if v > 0 {
				hi, nhi = hi+pos, nhi+1
			} else {
				lo, nlo = lo+pos, nlo+1
			}
		}
		return hi/nhi - lo/nlo
	}
	if g := gap(0); math.Abs(g) > 0.015 {
		t.Errorf("Context 0: P(pos | Wx>0) − P(pos | Wx≤0) = %.4f, want ≈ 0", g)
	}
	if g := gap(3); g < 0.1 {
		t.Errorf("Context 3: P(pos | Wx>0) − P(pos | Wx≤0) = %.4f, want > 0.1", g)
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	a, err := Synthetic(SyntheticOptions{Context: 1}, rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Synthetic(SyntheticOptions{Context: 1}, rand.New(rand.NewPCG(9, 9)))
	c, _ := Synthetic(SyntheticOptions{Context: 1}, rand.New(rand.NewPCG(9, 10)))
	if !mat.Equal(a.X, b.X) || !mat.Equal(a.Y, b.Y) {
		t.Error("same seed, different data")
	}
	if mat.Equal(a.Y, c.Y) {
		t.Error("different seeds, same data")
	}
	if _, err := Synthetic(SyntheticOptions{PPos: 1.5}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("p_pos 1.5 accepted")
	}
}
