package stages

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestDataSyntheticPerSeedDraw checks that each seed draws its own data by
// default, that data_seed restores the reference's one shared draw, and
// that the contextual variant reports under its own label (or the label
// param's).
func TestDataSyntheticPerSeedDraw(t *testing.T) {
	_, a := loadData(t, map[string]any{"seed": 0})
	_, b := loadData(t, map[string]any{"seed": 1})
	if mat.Equal(a.Y, b.Y) {
		t.Error("seeds 0 and 1 drew the same targets with the default data_seed")
	}
	_, c := loadData(t, map[string]any{"seed": 0, "data_seed": 1})
	_, d := loadData(t, map[string]any{"seed": 1, "data_seed": 1})
	if !mat.Equal(c.Y, d.Y) || !mat.Equal(b.Y, d.Y) {
		t.Error("data_seed 1 does not give every seed the seed-1 draw")
	}
	if a.Meta["data_seed"] != "0" || c.Meta["data_seed"] != "1" {
		t.Errorf("data_seed metadata %q and %q, want 0 and 1", a.Meta["data_seed"], c.Meta["data_seed"])
	}
	for _, tc := range []struct {
		params map[string]any
		label  string
	}{
		{map[string]any{"context": 2.0}, LabelSyntheticContext},
		{map[string]any{"context": 2.0, "label": "synthetic-context-m512"}, "synthetic-context-m512"},
	} {
		_, ds := loadData(t, tc.params)
		if ds.Meta[datasetMetaLabel] != tc.label {
			t.Errorf("%v: label %q, want %q", tc.params, ds.Meta[datasetMetaLabel], tc.label)
		}
	}
	if _, _, err := tryKind(dataSyntheticKind, map[string]any{"data_seed": -2}, nil, ""); err == nil {
		t.Error("data_seed −2 was accepted")
	}
}

// TestDataSyntheticContextLinksXY checks that the contextual variant's
// positive-component frequency follows its true probability p(x): the
// rows with p < 0.5 are mostly negative, those with p > 0.95 mostly positive.
func TestDataSyntheticContextLinksXY(t *testing.T) {
	rec, _ := loadData(t, map[string]any{"context": 2.0, "n": 4000})
	tk, err := newTask(rec)
	if err != nil {
		t.Fatal(err)
	}
	d := tk.dataset
	truth, _, err := syntheticTruth(tk)
	if err != nil {
		t.Fatal(err)
	}
	var lo, loPos, hi, hiPos int
	prob := make([]float64, 10)
	for i := 0; i < d.Len(); i++ {
		truth.PositiveProb(prob, d.X.RawRowView(i))
		for j, p := range prob {
			pos := d.Y.At(i, j) > 0
			switch {
			case p < 0.5:
				lo++
				if pos {
					loPos++
				}
			case p > 0.95:
				hi++
				if pos {
					hiPos++
				}
			}
		}
	}
	if lo < 100 || hi < 100 || float64(loPos)/float64(lo) > 0.5 || float64(hiPos)/float64(hi) < 0.95 {
		t.Errorf("p < 0.5: %d of %d positive; p > 0.95: %d of %d", loPos, lo, hiPos, hi)
	}
}

// TestPaperComparable checks which dataset labels get the paper's numbers.
func TestPaperComparable(t *testing.T) {
	for label, want := range map[string]bool{
		"synthetic": true, "synthetic-pooled": true, "power": true, "portfolio-legacy": true,
		"synthetic-context": false, "synthetic-context-m512": false, "synthetic-m512": false, "synthetic-m": true,
	} {
		if got := paperComparable(label); got != want {
			t.Errorf("paperComparable(%q) = %v, want %v", label, got, want)
		}
	}
}
