package stages

import (
	"bytes"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/datasets"
)

// loadData runs a data kind and returns its table as the next stage sees it.
func loadData(t testing.TB, params map[string]any) (arrow.Record, *datasets.Dataset) {
	t.Helper()
	out, _ := runKind(t, dataSyntheticKind, params, nil, "")
	rec := roundTrip(t, out["table"])
	d, err := datasets.FromRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	return rec, d
}

func TestDataSyntheticSplitsAndLabels(t *testing.T) {
	_, d := loadData(t, map[string]any{"seed": 3})
	if d.Count(datasets.Train) != 640 || d.Count(datasets.Hold) != 160 || d.Count(datasets.Test) != 200 {
		t.Errorf("splits %d/%d/%d, want 640/160/200", d.Count(datasets.Train), d.Count(datasets.Hold), d.Count(datasets.Test))
	}
	if d.Meta[datasetMetaLabel] != TaskSynthetic || d.Meta[datasetMetaSeed] != "3" {
		t.Errorf("meta label %q seed %q", d.Meta[datasetMetaLabel], d.Meta[datasetMetaSeed])
	}
	// Each seed gets its own hold-out split, from the same data.
	_, other := loadData(t, map[string]any{"seed": 4})
	same := 0
	for i := range d.Split {
		if d.Split[i] == datasets.Hold && other.Split[i] == datasets.Hold {
			same++
		}
		if d.Split[i] == datasets.Test != (other.Split[i] == datasets.Test) {
			t.Fatalf("row %d: the test block depends on the seed", i)
		}
	}
	if same == 160 {
		t.Error("seeds 3 and 4 hold out the same rows")
	}
}

func TestDataLimitsKeepFirstRows(t *testing.T) {
	_, full := loadData(t, map[string]any{"seed": 1})
	_, sub := loadData(t, map[string]any{"seed": 1, "max_train": 10, "max_hold": 5, "max_test": 7})
	if sub.Count(datasets.Train) != 10 || sub.Count(datasets.Hold) != 5 || sub.Count(datasets.Test) != 7 {
		t.Fatalf("limited splits %d/%d/%d, want 10/5/7", sub.Count(datasets.Train), sub.Count(datasets.Hold), sub.Count(datasets.Test))
	}
	for _, s := range []datasets.Split{datasets.Train, datasets.Hold, datasets.Test} {
		want, got := full.Rows(s), sub.Rows(s)
		for i, r := range got {
			if sub.RowID[r] != full.RowID[want[i]] || sub.Y.At(r, 0) != full.Y.At(want[i], 0) {
				t.Errorf("%s row %d is %s, want the split's row %d (%s)", s, i, sub.RowID[r], i, full.RowID[want[i]])
			}
		}
	}
}

func TestDataDeterministic(t *testing.T) {
	a, _ := runKind(t, dataSyntheticKind, map[string]any{"seed": 2, "context": 1.5}, nil, "")
	b, _ := runKind(t, dataSyntheticKind, map[string]any{"seed": 2, "context": 1.5}, nil, "")
	if !bytes.Equal(marshalOut(t, a)["table"], marshalOut(t, b)["table"]) {
		t.Error("two runs with the same params wrote different tables")
	}
}

func TestDataSyntheticReferenceFiles(t *testing.T) {
	if deps, _ := syntheticFiles(map[string]any{"source": "generate"}); deps != nil {
		t.Errorf("generated data declares files %v", deps)
	}
	deps, _ := syntheticFiles(map[string]any{"source": "reference"})
	if len(deps) != 2 {
		t.Fatalf("reference data declares %v, want the two CSV files", deps)
	}
	dir := dataDirForTest(t, deps[0].Path)
	out, _ := runKind(t, dataSyntheticKind, map[string]any{"source": "reference"}, nil, dir)
	d, err := datasets.FromRecord(out["table"])
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 1000 || d.Meta["source"] != "reference_seed1" {
		t.Errorf("%d rows from source %q", d.Len(), d.Meta["source"])
	}
}

func TestDataPowerLogsWarnings(t *testing.T) {
	dir := dataDirForTest(t, "pjm/"+datasets.PJMFile2012)
	out, rep := runKind(t, dataPowerKind, map[string]any{"seed": 0}, nil, dir)
	d, err := datasets.FromRecord(out["table"])
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3192 || d.Count(datasets.Hold) != 511 {
		t.Errorf("%d rows, %d hold, want 3192 and 511", d.Len(), d.Count(datasets.Hold))
	}
	if !rep.has("data warning: ") || !rep.has("temperature") {
		t.Errorf("the corrupt temperature column is not in the log: %v", rep.lines)
	}
	if kind, _ := arrowtab.Meta(out["table"], arrowtab.MetaKind); kind != "dataset.power" {
		t.Errorf("kind %q", kind)
	}
}

func TestDataPortfolioLabels(t *testing.T) {
	dir := dataDirForTest(t, "sp500/constituents.csv")
	for _, c := range []struct{ layout, label string }{{"date_major", TaskPortfolio}, {"legacy", LabelPortfolioLegacy}} {
		out, _ := runKind(t, dataPortfolioKind, map[string]any{"seed": 5, "layout": c.layout, "assets": 10, "max_train": 50, "max_hold": 10, "max_test": 10}, nil, dir)
		d, err := datasets.FromRecord(out["table"])
		if err != nil {
			t.Fatal(err)
		}
		if d.Meta[datasetMetaLabel] != c.label || d.Meta["asset_seed"] != "5" {
			t.Errorf("layout %s: label %q, asset seed %q; want %q and the run's seed 5", c.layout, d.Meta[datasetMetaLabel], d.Meta["asset_seed"], c.label)
		}
		if _, n := d.Y.Dims(); n != 10 || d.Len() != 70 {
			t.Errorf("layout %s: %d assets, %d rows", c.layout, n, d.Len())
		}
	}
}
