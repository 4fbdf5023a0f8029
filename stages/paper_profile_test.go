package stages

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// readmeFile is the project's README, whose Profiles table states the
// reference's sizes that the paper profile must restore.
const readmeFile = "../README.md"

// profileCell returns the cell of column col (0 = the row's label) of the
// README table row whose label starts with label.
func profileCell(t *testing.T, readme, label string, col int) string {
	t.Helper()
	for _, line := range strings.Split(readme, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) > col && strings.HasPrefix(cells[0], label) {
			return cells[col]
		}
	}
	t.Fatalf("README has no table row %q", label)
	return ""
}

// stageParam returns a numeric param of a stage of f.
func stageParam(t *testing.T, f *pipeline.File, stage, param string) float64 {
	t.Helper()
	for _, s := range f.Stages {
		if s.Name != stage {
			continue
		}
		switch v := s.Params[param].(type) {
		case float64:
			return v
		case int:
			return float64(v)
		case int64:
			return float64(v)
		}
		t.Fatalf("stage %s param %s = %v (%T), not a number", stage, param, s.Params[param], s.Params[param])
	}
	t.Fatalf("no stage %s", stage)
	return 0
}

// TestPaperProfileMatchesREADME compares the paper profile's params with
// the `paper` column of the README's Profiles table: the reference's DFL
// learning rates per estimator, its ELBO timesteps (power: 100 uniform, 10
// importance-sampled), samples, sampling steps and epochs. A cell lists
// tasks separated by ";" (or " / " when each task has one value) and, within
// a task, values separated by " / ", in the order of the stages given.
func TestPaperProfileMatchesREADME(t *testing.T) {
	raw, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pipeline.Load(pipelinesFile, pipeline.LoadOptions{Registry: registryForTest(t), Profile: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	const paperCol = 3
	rows := []struct {
		label, param string
		stages       [][]string // per task, the stages of its values
	}{
		{"diffusion DFL learning rate", "lr", [][]string{
			{"dfl-diffusion-sf-synthetic-s0", "dfl-diffusion-rp-synthetic-s0"},
			{"dfl-diffusion-sf-is-power-s0", "dfl-diffusion-rp-power-s0"},
			{"dfl-diffusion-sf-portfolio-s0", "dfl-diffusion-rp-portfolio-s0"}}},
		{"SF ELBO timesteps K", "K", [][]string{
			{"dfl-diffusion-sf-synthetic-s0"},
			{"dfl-diffusion-sf-power-s0", "dfl-diffusion-sf-is-power-s0"},
			{"dfl-diffusion-sf-portfolio-s0"}}},
		{"samples per context M", "samples", [][]string{
			{"eval-diffusion-sf-synthetic-s0"}, {"eval-diffusion-sf-power-s0"}, {"eval-diffusion-sf-portfolio-s0"}}},
		{"DFL epochs", "epochs", [][]string{
			{"dfl-diffusion-sf-synthetic-s0"}, {"dfl-diffusion-sf-power-s0"}, {"dfl-diffusion-sf-portfolio-s0"}}},
	}
	for _, row := range rows {
		cell := profileCell(t, string(raw), row.label, paperCol)
		tasks := strings.Split(cell, ";")
		if len(tasks) == 1 {
			tasks = strings.Split(cell, " / ")
		}
		if len(tasks) != len(row.stages) {
			t.Errorf("%s: README cell %q has %d tasks, want %d", row.label, cell, len(tasks), len(row.stages))
			continue
		}
		for i, task := range tasks {
			vals := strings.Split(strings.TrimSpace(task), " / ")
			if len(vals) != len(row.stages[i]) {
				t.Errorf("%s: README %q has %d values, want %d", row.label, task, len(vals), len(row.stages[i]))
				continue
			}
			for j, v := range vals {
				want, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					t.Fatalf("%s: README value %q: %v", row.label, v, err)
				}
				stage := row.stages[i][j]
				if got := stageParam(t, f, stage, row.param); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("paper profile: %s %s = %v, README's reference value %v", stage, row.param, got, want)
				}
			}
		}
	}
}

// tuneResults is where `pipe run tune` exports its selection.
const tuneResults = "../results/tune.csv"

// TestTunedRatesMatchSelection checks that the default profile's DFL
// learning rates are those the tune pipeline selected on the hold split,
// as committed in results/tune.csv. Skipped until a tune run is committed.
func TestTunedRatesMatchSelection(t *testing.T) {
	fh, err := os.Open(tuneResults)
	if os.IsNotExist(err) {
		t.Skipf("%s not committed yet (pipe run tune)", tuneResults)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", tuneResults, err)
	}
	f, err := pipeline.Load(pipelinesFile, pipeline.LoadOptions{Registry: registryForTest(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range tunedRateMismatches(t, f, rows) {
		t.Error(msg)
	}
}

// TestTunedRatesDetectMismatch feeds the check a selection that disagrees
// with pipelines.yaml, and one that agrees.
func TestTunedRatesDetectMismatch(t *testing.T) {
	f, err := pipeline.Load(pipelinesFile, pipeline.LoadOptions{Registry: registryForTest(t)})
	if err != nil {
		t.Fatal(err)
	}
	lr := stageParam(t, f, "dfl-diffusion-rp-power-s0", "lr")
	head := []string{"task", "dataset", "method", "lr", "selected"}
	row := func(v float64, sel string) []string {
		return []string{"power", "power", "diffusion-rp", strconv.FormatFloat(v, 'g', -1, 64), sel}
	}
	if got := tunedRateMismatches(t, f, [][]string{head, row(lr, "yes"), row(lr*10, "no")}); len(got) != 0 {
		t.Errorf("an agreeing selection was flagged: %v", got)
	}
	if got := tunedRateMismatches(t, f, [][]string{head, row(lr, "no"), row(lr*10, "yes")}); len(got) != 1 {
		t.Errorf("a disagreeing selection gave %v, want one mismatch", got)
	}
}

// tunedRateMismatches compares the selected rows of a tune.csv (header
// first) with the lr of the seed-0 paper-tables stage of each dataset and
// method, and describes every disagreement.
func tunedRateMismatches(t *testing.T, f *pipeline.File, rows [][]string) []string {
	t.Helper()
	if len(rows) < 2 {
		return []string{"the selection has no rows"}
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var out []string
	selected := 0
	for _, r := range rows[1:] {
		if r[col["selected"]] != "yes" {
			continue
		}
		selected++
		want, err := strconv.ParseFloat(r[col["lr"]], 64)
		if err != nil {
			t.Fatalf("tune selection: lr %q: %v", r[col["lr"]], err)
		}
		stage := fmt.Sprintf("dfl-%s-%s-s0", r[col["method"]], r[col["dataset"]])
		if got := stageParam(t, f, stage, "lr"); got != want {
			out = append(out, fmt.Sprintf("%s lr = %g, but tune selected %g on the hold split: set the pipelines.yaml var", stage, got, want))
		}
	}
	if selected == 0 {
		out = append(out, "the selection marks no row selected")
	}
	return out
}
