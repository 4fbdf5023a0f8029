package datasets

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRollingHandComputed checks rollingMeanVar on windows of 3 computed by
// hand: [1 2 4] has mean 7/3 and sample variance 7/3, [2 4 8] 14/3 and 28/3,
// [4 8 16] 28/3 and 112/3.
func TestRollingHandComputed(t *testing.T) {
	x := []float64{1, 2, 4, 8, 16}
	mean, variance := make([]float64, 3), make([]float64, 3)
	rollingMeanVar(x, 3, 2, mean, variance)
	wantMean := []float64{7.0 / 3, 14.0 / 3, 28.0 / 3}
	wantVar := []float64{7.0 / 3, 28.0 / 3, 112.0 / 3}
	for i := range mean {
		if !near(mean[i], wantMean[i], 1e-14) || !near(variance[i], wantVar[i], 1e-13) {
			t.Errorf("window %d: mean %v var %v, want %v %v", i, mean[i], variance[i], wantMean[i], wantVar[i])
		}
	}
}

// TestRollingMatchesTwoPass compares the sliding sums with a direct two-pass
// computation on a random walk whose level moves over two decades, across
// many re-anchoring blocks.
func TestRollingMatchesTwoPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, 4000)
	x[0] = 5
	for i := 1; i < len(x); i++ {
		x[i] = x[i-1] * math.Exp(0.03*rng.NormFloat64()+0.001)
	}
	for _, w := range []int{2, 3, 7, 30, 120, 365} {
		t0 := 365
		n := len(x) - t0
		mean, variance := make([]float64, n), make([]float64, n)
		rollingMeanVar(x, w, t0, mean, variance)
		for i := 0; i < n; i++ {
			win := x[t0+i-w+1 : t0+i+1]
			m := 0.0
			for _, v := range win {
				m += v
			}
			m /= float64(w)
			ss := 0.0
			for _, v := range win {
				ss += (v - m) * (v - m)
			}
			vr := ss / float64(w-1)
			if math.Abs(mean[i]-m) > 1e-12*math.Abs(m) || math.Abs(variance[i]-vr) > 1e-9*vr+1e-12 {
				t.Fatalf("w=%d row %d: mean %v var %v, two-pass %v %v", w, i, mean[i], variance[i], m, vr)
			}
		}
	}
}

// TestStockFeaturesLinearPrices checks all 28 features and the target on the
// price series P_t = t + 1, whose features have closed forms: r_t = 1/t,
// pc_k(t) = k/(t+1−k), a window of w consecutive integers ending at t+1 has
// mean t+1−(w−1)/2 and sample variance w(w+1)/12.
func TestStockFeaturesLinearPrices(t *testing.T) {
	const T = 400
	p := make([]float64, T)
	for i := range p {
		p[i] = float64(i + 1)
	}
	feat, target := stockFeatures(p)
	t0, n := stockRows(T)
	if t0 != 365 || n != 25 || len(feat) != n*NumStockFeatures || len(target) != n {
		t.Fatalf("t0 %d, %d rows, %d features, %d targets", t0, n, len(feat), len(target))
	}
	names := SP500FeatureNames()
	for i := 0; i < n; i++ {
		tt := float64(t0 + i)
		want := []float64{1 / tt}
		for k := 1; k <= 10; k++ {
			want = append(want, 1/(tt-float64(k)))
		}
		for _, k := range []float64{365, 120, 30, 7} {
			want = append(want, k/(tt+1-k))
		}
		var rm, rv float64
		for j := 0; j < 7; j++ {
			rm += 1 / (tt - float64(j)) / 7
		}
		for j := 0; j < 7; j++ {
			d := 1/(tt-float64(j)) - rm
			rv += d * d / 6
		}
		want = append(want, rm, rv)
		for _, w := range []float64{365, 120, 30, 7, 3} {
			want = append(want, tt+1-(w-1)/2, w*(w+1)/12)
		}
		want = append(want, tt+1)
		for f, w := range want {
			if got := feat[i*NumStockFeatures+f]; math.Abs(got-w) > 1e-12*math.Max(1, math.Abs(w)) {
				t.Errorf("row t=%v %s = %.15g, want %.15g", tt, names[f], got, w)
			}
		}
		if w := 1 / (tt + 1); math.Abs(target[i]-w) > 1e-15 {
			t.Errorf("row t=%v target %v, want %v", tt, target[i], w)
		}
	}
}

func TestStockFeaturesTooShort(t *testing.T) {
	if f, y := stockFeatures(make([]float64, 375)); f != nil || y != nil {
		t.Error("375 closes gave feature rows; 376 are needed for one")
	}
	if _, n := stockRows(3273); n != 2898 {
		t.Errorf("3273 closes give %d rows, want 2898", n)
	}
}
