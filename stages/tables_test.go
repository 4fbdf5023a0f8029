package stages

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// updateGolden regenerates the golden files under testdata/ (go test
// ./stages -run Golden -update). The flag is looked up first so that a
// test file of this package that defines -update as well does not panic.
var updateGolden = func() *bool {
	if f := flag.Lookup("update"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if b, ok := g.Get().(bool); ok {
				v := b
				return &v
			}
		}
	}
	return flag.Bool("update", false, "rewrite the golden files under testdata/")
}()

// tablesFixture is a hand-made set of runs covering every kind of row:
// several seeds, one seed (no std), a NaN seed, point methods with M = 1,
// an unknown method label, both portfolio layouts and the ablation runs
// with their stats.
func tablesFixture() ([]fakeEval, []fakeStats) {
	var evals []fakeEval
	var stats []fakeStats
	add := func(task, dataset, method string, m int64, tests ...float64) {
		for seed, v := range tests {
			stage := fmt.Sprintf("eval-%s-%s-s%d", dataset, method, seed)
			evals = append(evals, fakeEval{stage: stage, task: task, dataset: dataset, method: method,
				seed: seed, m: m, test: v, hold: v * 1.01, rmse: 0.5, withUnits: true})
		}
	}
	add("synthetic", "synthetic", "policy", 1, 0.61, 0.58, 0.66)
	add("synthetic", "synthetic", "diffusion-sf", 16, 0.371, 0.365, 0.380)
	add("synthetic", "synthetic", "diffusion-sf-is", 16, 0.369, 0.372, 0.366)
	add("synthetic", "synthetic", "diffusion-rp", 16, 0.368, 0.377, 0.362)
	add("synthetic", "synthetic", "gaussian-sf", 16, 1.05, 0.98, 1.21)
	add("synthetic", "synthetic", "deterministic", 1, 0.52, 0.55, 0.50)
	add("synthetic", "synthetic", "two-stage-mlp", 1, 1.98709, 1.98709, 1.98709)
	add("synthetic", "synthetic", "oracle", 1, 0.2446, 0.2446, 0.2446)
	add("synthetic", "synthetic", "my-variant", 16, 0.41, 0.40, 0.42)
	add("power", "power", "diffusion-sf", 16, 3.30, 3.25, 3.41)
	add("power", "power", "diffusion-sf-is", 16, 3.22, 3.28, 3.19)
	add("power", "power", "diffusion-rp", 16, 3.18, 3.21, 3.16)
	add("power", "power", "diffusion-sf-k50", 16, 3.24, 3.20, 3.23)
	add("power", "power", "diffusion-sf-is-k50", 16, 3.20, 3.19, 3.25)
	add("power", "power", "gaussian-sf", 16, 4.1, math.NaN(), 4.3)
	add("power", "power", "two-stage-gaussian", 16, 5.9, 6.2, 5.7)
	add("portfolio", "portfolio", "two-stage-diffusion", 8, 0.049, 0.040, 0.046)
	add("portfolio", "portfolio", "diffusion-sf", 8, 0.051, 0.043, 0.047)
	add("portfolio", "portfolio", "equal-weight", 1, 0.045, 0.045, 0.045)
	add("portfolio", "portfolio", "oracle", 1, 3.91, 3.91, 3.91)
	add("portfolio", "portfolio-legacy", "diffusion-sf", 8, 4.52)
	add("portfolio", "portfolio-legacy", "diffusion-rp", 8, 4.61)
	ablation := []struct {
		method, estimator, timesteps, k string
		sec, est                        float64
	}{
		{"diffusion-sf", "sf", "uniform", "10", 0.41, 212e6},
		{"diffusion-sf-is", "sf", "importance", "10", 0.43, 213e6},
		{"diffusion-sf-k50", "sf", "uniform", "50", 1.62, 1010e6},
		{"diffusion-sf-is-k50", "sf", "importance", "50", 1.66, 1012e6},
		{"diffusion-rp", "rp", "uniform", "0", 2.95, 2650e6},
	}
	for _, a := range ablation {
		for seed := 0; seed < 3; seed++ {
			stats = append(stats, fakeStats{stage: fmt.Sprintf("dfl-power-%s-s%d", a.method, seed), task: "power",
				dataset: "power", method: a.method, seed: seed, secPerStep: a.sec * (1 + 0.01*float64(seed)),
				heap: 1.5 * a.est, est: a.est, estimator: a.estimator, timesteps: a.timesteps, k: a.k, s: "20"})
		}
	}
	for seed := 0; seed < 3; seed++ { // a DFL run that kept its starting model on every seed
		stats = append(stats, fakeStats{stage: fmt.Sprintf("dfl-synthetic-deterministic-s%d", seed), task: "synthetic",
			dataset: "synthetic", method: "deterministic", seed: seed, secPerStep: 0.01, heap: 1e6, est: math.NaN(), epoch0: true})
	}
	return evals, stats
}

// runTables runs aggregate then paper-tables on the fixture.
func runTables(t *testing.T, params pipeline.Params) (table1, table2 arrow.Record) {
	t.Helper()
	evals, stats := tablesFixture()
	in := aggregateInputs(t, evals, stats)
	defer releaseInputs(in)
	agg, err := runAggregate(context.Background(), in, defaultAggregateParams(t), &tablesLog{})
	if err != nil {
		t.Fatal(err)
	}
	sum, paired := agg["summary"], agg["paired"]
	defer sum.Release()
	defer paired.Release()
	if params == nil {
		params = pipeline.Params{"ablation_dataset": "power", "metric_digits": 4}
	}
	log := &tablesLog{}
	out, err := runPaperTables(context.Background(), pipeline.Inputs{Tables: map[string]arrow.Record{"summary": sum, "paired": paired}}, params, log)
	if err != nil {
		t.Fatal(err)
	}
	return out["table1"], out["table2"]
}

// render marshals a record and renders it as the exports do.
func render(t *testing.T, rec arrow.Record, format string) []byte {
	t.Helper()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	out, err := arrowtab.Render(b, format)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./stages -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestTablesGolden(t *testing.T) {
	t1, t2 := runTables(t, nil)
	defer t1.Release()
	defer t2.Release()
	checkGolden(t, "tables_table1.golden.md", render(t, t1, "md"))
	checkGolden(t, "tables_table2.golden.md", render(t, t2, "md"))
	checkGolden(t, "tables_table2.golden.csv", render(t, t2, "csv"))
}

// TestTable1Rows checks the properties the golden file encodes, so a
// regenerated golden file cannot silently lose them.
func TestTable1Rows(t *testing.T) {
	t1, t2 := runTables(t, nil)
	defer t1.Release()
	defer t2.Release()
	col := func(name string) []string {
		v, err := arrowtab.Strings(t1, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	datasets, methods, ours, paper, notes := col("dataset"), col("method"), col("ours"), col("paper"), col("note")
	var order []string
	byRow := map[string]int{}
	for i := range methods {
		order = append(order, datasets[i]+"/"+methods[i])
		byRow[datasets[i]+"/"+methods[i]] = i
	}
	wantOrder := "synthetic/diffusion-sf synthetic/diffusion-sf-is synthetic/diffusion-rp synthetic/gaussian-sf " +
		"synthetic/deterministic synthetic/two-stage-mlp synthetic/policy synthetic/oracle synthetic/my-variant " +
		"power/diffusion-sf power/diffusion-sf-is power/diffusion-rp power/gaussian-sf power/two-stage-gaussian " +
		"portfolio/diffusion-sf portfolio/two-stage-diffusion portfolio/oracle portfolio/equal-weight " +
		"portfolio-legacy/diffusion-sf portfolio-legacy/diffusion-rp"
	if got := strings.Join(order, " "); got != wantOrder {
		t.Errorf("row order\n got %s\nwant %s", got, wantOrder)
	}
	checks := []struct{ row, ours, paper, note string }{
		{"synthetic/diffusion-sf", "0.3720 ± 0.0075", "0.3624 ± 0.0074", "uniform timesteps"},
		{"power/diffusion-sf-is", "3.2300 ± 0.0458", "3.1710 ± 0.0705", "importance-sampled"},
		{"power/diffusion-sf", "", noValue, "see diffusion-sf-is"},
		{"power/gaussian-sf", "4.2000 ± 0.1414", "4.0871 ± 0.1860", "NaN for seeds 1"},
		{"portfolio/diffusion-sf", "0.0470 ± 0.0040", "3.978 ± 0.098", "leaky layout"},
		{"portfolio-legacy/diffusion-rp", "4.6100", "4.166 ± 0.076", "leaky layout"},
		{"synthetic/my-variant", "", noValue, ""},
	}
	for _, c := range checks {
		i, ok := byRow[c.row]
		if !ok {
			t.Errorf("row %s missing", c.row)
			continue
		}
		if c.ours != "" && ours[i] != c.ours || paper[i] != c.paper || !strings.Contains(notes[i], c.note) {
			t.Errorf("%s: ours %q paper %q note %q; want %q, %q, note with %q", c.row, ours[i], paper[i], notes[i], c.ours, c.paper, c.note)
		}
	}
	for _, m := range methods {
		if m == "diffusion-sf-k50" || m == "diffusion-sf-is-k50" {
			t.Errorf("ablation-only method %s belongs to table2, not table1", m)
		}
	}
}

func TestTable2Rows(t *testing.T) {
	t1, t2 := runTables(t, nil)
	defer t1.Release()
	defer t2.Release()
	methods, _ := arrowtab.Strings(t2, "method")
	if got := strings.Join(methods, " "); got != strings.Join(AblationMethods(), " ") {
		t.Errorf("table2 rows %q, want %q", got, AblationMethods())
	}
	ms, _ := arrowtab.Float64s(t2, "ms/step")
	est, _ := arrowtab.Float64s(t2, "estimator MiB")
	// diffusion-sf: 0.41 s × (1, 1.01, 1.02) → mean 414.1 ms; 212e6 B = 202.2 MiB.
	if ms[0] != 414.1 || est[0] != 202.2 {
		t.Errorf("diffusion-sf: %v ms/step, %v MiB; want 414.1 and 202.2", ms[0], est[0])
	}
	k := t2.Column(t2.Schema().FieldIndices("K")[0])
	if k.IsNull(0) || !k.IsNull(4) {
		t.Error("K must be set for the score-function rows and empty for reparameterization")
	}
}

// TestTable2OtherDataset checks that the paper's ablation figures, which
// are power's, are not shown beside another dataset's runs.
func TestTable2OtherDataset(t *testing.T) {
	t1, t2 := runTables(t, pipeline.Params{"ablation_dataset": "synthetic", "metric_digits": 3})
	defer t1.Release()
	defer t2.Release()
	methods, _ := arrowtab.Strings(t2, "method")
	paper, _ := arrowtab.Strings(t2, "paper test loss")
	if strings.Join(methods, " ") != "diffusion-sf diffusion-sf-is diffusion-rp" {
		t.Errorf("synthetic ablation rows %v", methods)
	}
	for i, p := range paper {
		if p != noValue {
			t.Errorf("%s: paper figure %q shown for a synthetic run", methods[i], p)
		}
	}
	loss, _ := arrowtab.Strings(t2, "test task loss")
	if loss[0] != "0.372 ± 0.008" {
		t.Errorf("metric_digits 3: %q, want \"0.372 ± 0.008\"", loss[0])
	}
}

// TestTablesDeterministic checks byte-identical artifacts from two runs
// (map iteration order must not leak into the outputs).
func TestTablesDeterministic(t *testing.T) {
	var first [3][]byte
	for run := 0; run < 3; run++ {
		evals, stats := tablesFixture()
		sum, err := runAggregateOn(t, evals, stats)
		if err != nil {
			t.Fatal(err)
		}
		t1, t2 := runTables(t, nil)
		got := [3][]byte{}
		for i, rec := range []arrow.Record{sum, t1, t2} {
			if got[i], err = arrowtab.Marshal(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		if run == 0 {
			first = got
			continue
		}
		for i, name := range []string{"summary", "table1", "table2"} {
			if !bytes.Equal(first[i], got[i]) {
				t.Errorf("run %d: %s differs", run, name)
			}
		}
	}
}

func TestTableKindsRegister(t *testing.T) {
	r := pipeline.NewRegistry()
	for _, k := range tableKinds() {
		if err := r.Register(k); err != nil {
			t.Fatal(err)
		}
	}
	k, ok := r.Lookup("paper-tables")
	if !ok {
		t.Fatal("paper-tables not registered")
	}
	p, problems := k.CheckParams(pipeline.Params{})
	if len(problems) > 0 || p.String("ablation_dataset") != "power" || p.Int("metric_digits") != 4 {
		t.Errorf("defaults %v, problems %v", p, problems)
	}
	if _, ok := r.Lookup("aggregate"); !ok {
		t.Fatal("aggregate not registered")
	}
}
