package datasets

import (
	"context"
	"math"
	"testing"
)

// moments returns the mean and sd (with ddof) of columns cols over rows.
func moments(d *Dataset, rows, cols []int, ddof int) (mean, sd float64) {
	var s, ss float64
	for _, r := range rows {
		for _, c := range cols {
			s += d.X.At(r, c)
		}
	}
	n := float64(len(rows) * len(cols))
	mean = s / n
	for _, r := range rows {
		for _, c := range cols {
			ss += (d.X.At(r, c) - mean) * (d.X.At(r, c) - mean)
		}
	}
	return mean, math.Sqrt(ss / (n - float64(ddof)))
}

// TestPJMTrainNormalisation checks the default: every feature has mean 0
// and population sd 1 over the Train rows, and the test rows (whose
// temperature is constant and far from the training mean) are not centred.
func TestPJMTrainNormalisation(t *testing.T) {
	d, err := LoadPJM(sharedData(t), PJMOptions{HoldSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	train := d.Rows(Train)
	for j := range d.XNames {
		m, sd := moments(d, train, []int{j}, 0)
		if math.Abs(m) > 1e-9 || math.Abs(sd-1) > 1e-9 {
			t.Errorf("%s: train mean %v sd %v", d.XNames[j], m, sd)
		}
	}
	if m, _ := moments(d, d.Rows(Test), []int{72}, 0); math.Abs(m) < 0.5 {
		t.Errorf("test temp_next_h00 mean %v: the test rows look normalised with the training ones", m)
	}
	if d.Meta["norm"] != "train" || d.Meta["hold_seed"] != "3" {
		t.Errorf("meta %v", d.Meta)
	}
}

// TestSP500Normalisation checks portfolio.md §1.6: one mean and unbiased sd
// per feature over the rows × n assets, x ← (x − mean)/(sd + 1e-5).
func TestSP500Normalisation(t *testing.T) {
	dir := sharedData(t)
	raw, err := LoadSP500(context.Background(), dir, SP500Options{AssetSeed: 4, NAssets: 20, Norm: NormNone})
	if err != nil {
		t.Fatal(err)
	}
	for _, norm := range []Norm{NormTrain, NormLegacy} {
		d, err := LoadSP500(context.Background(), dir, SP500Options{AssetSeed: 4, NAssets: 20, Norm: norm})
		if err != nil {
			t.Fatal(err)
		}
		rows := d.Rows(Train)
		if norm == NormLegacy {
			rows = append(rows, d.Rows(Hold)...)
			rows = append(rows, d.Rows(Test)...)
		}
		for f, g := range featureGroups(20) {
			m, sd := moments(raw, rows, g, 1)
			want := (raw.X.At(100, g[7]) - m) / (sd + 1e-5)
			if got := d.X.At(100, g[7]); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("%s %s: %v, want %v", norm, SP500FeatureNames()[f], got, want)
			}
		}
	}
}
