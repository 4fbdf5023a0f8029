package stages

import (
	"math"
	"strings"
	"testing"
)

// TestPaperResultsSane checks the paper table's internal consistency: every
// label is a known method, every task is one of the three, the metric is
// the task's headline metric, no (task, method) appears twice, and every
// row cites its spec section.
func TestPaperResultsSane(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range PaperResults() {
		key := r.Task + "/" + r.Method
		if seen[key] {
			t.Errorf("%s: listed twice", key)
		}
		seen[key] = true
		m, ok := LookupMethod(r.Method)
		if !ok {
			t.Errorf("%s: unknown method label %q", key, r.Method)
		}
		if m.Ablation {
			t.Errorf("%s: ablation-only labels belong to PaperAblations", key)
		}
		if !strings.HasPrefix(r.Source, r.Task+".md §") {
			t.Errorf("%s: source %q should cite %s.md and a section", key, r.Source, r.Task)
		}
		if metric, _ := headlineMetric(r.Task); r.Metric != metric {
			t.Errorf("%s: metric %q, want the task's headline metric %q", key, r.Metric, metric)
		}
		if math.IsNaN(r.Mean) {
			if r.Note == "" {
				t.Errorf("%s: a row without a number must say in its note where to look", key)
			}
			continue
		}
		if r.Digits < 3 || r.Std < 0 || r.Mean <= 0 {
			t.Errorf("%s: digits %d, mean %v, std %v", key, r.Digits, r.Mean, r.Std)
		}
	}
}

// TestPaperResultsTranscribed compares the table with the numbers as the
// spec states them (an independent transcription of synthetic.md §7,
// power.md §0 and portfolio.md §4).
func TestPaperResultsTranscribed(t *testing.T) {
	nan := math.NaN()
	want := []struct {
		task, method string
		mean, std    float64
	}{
		{"synthetic", "diffusion-sf", 0.3624, 0.0074},
		{"synthetic", "diffusion-rp", 0.3650, 0.0132},
		{"synthetic", "gaussian-sf", 1.1320, 0.4236},
		{"synthetic", "gaussian-rp", 1.1691, 0.6893},
		{"synthetic", "deterministic", 1.98709, 0},
		{"synthetic", "policy", 0.5678, 0.0718},
		{"synthetic", "two-stage-diffusion", 0.3934, 0.0106},
		{"synthetic", "two-stage-gaussian", 1.2727, 0.7477},
		{"synthetic", "two-stage-mlp", 1.98709, 0},
		{"power", "diffusion-rp", 3.1525, 0.0918},
		{"power", "diffusion-sf-is", 3.1710, 0.0705},
		{"power", "gaussian-rp", 3.7245, 0.1699},
		{"power", "gaussian-sf", 4.0871, 0.1860},
		{"power", "deterministic", 4.3245, 0.7902},
		{"power", "policy", 4.4399, 0.1726},
		{"power", "two-stage-gaussian", 5.5808, 1.4321},
		{"power", "two-stage-diffusion", 7.9015, 2.4130},
		{"power", "two-stage-mlp", 41.2397, 10.0638},
		{"portfolio", "diffusion-rp", 4.166, 0.076},
		{"portfolio", "diffusion-sf", 3.978, 0.098},
		{"portfolio", "policy", 1.742, nan},
		{"portfolio", "gaussian-sf", 0.141, nan},
		{"portfolio", "two-stage-diffusion", 0.126, nan},
		{"portfolio", "two-stage-gaussian", 0.089, nan},
		{"portfolio", "gaussian-rp", 0.078, nan},
		{"portfolio", "deterministic", 0.066, nan},
		{"portfolio", "two-stage-mlp", 0.040, nan},
		{"portfolio", "oracle", 5.434, nan},
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	numbered := 0
	for _, r := range PaperResults() {
		if !math.IsNaN(r.Mean) {
			numbered++
		}
	}
	if numbered != len(want) {
		t.Errorf("%d paper rows carry numbers, the spec has %d", numbered, len(want))
	}
	for _, w := range want {
		r, ok := LookupPaper(w.task, w.method)
		if !ok || !same(r.Mean, w.mean) || !same(r.Std, w.std) {
			t.Errorf("%s/%s: %v ± %v (found %v), want %v ± %v", w.task, w.method, r.Mean, r.Std, ok, w.mean, w.std)
		}
	}
}

// TestScoreFunctionRowMapping pins which of our labels carries the paper's
// score-function number on each task, and that the note says so.
func TestScoreFunctionRowMapping(t *testing.T) {
	for _, c := range []struct{ task, numbered, other, note string }{
		{"synthetic", "diffusion-sf", "diffusion-sf-is", "uniform"},
		{"power", "diffusion-sf-is", "diffusion-sf", "importance-sampled"},
		{"portfolio", "diffusion-sf", "diffusion-sf-is", "no IS"},
	} {
		r, _ := LookupPaper(c.task, c.numbered)
		if math.IsNaN(r.Mean) || !strings.Contains(r.Note, c.note) {
			t.Errorf("%s: %s should carry the SF number with a note on %q: %+v", c.task, c.numbered, c.note, r)
		}
		o, ok := LookupPaper(c.task, c.other)
		if !ok || !math.IsNaN(o.Mean) || o.Note == "" {
			t.Errorf("%s: %s should have no number and a note pointing to %s: %+v", c.task, c.other, c.numbered, o)
		}
	}
}

func TestMethodCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Methods() {
		if seen[m.Label] {
			t.Errorf("label %q listed twice", m.Label)
		}
		seen[m.Label] = true
		if (m.Timesteps != "") != (m.K > 0) || (m.Timesteps != "" && m.Estimator != "sf") {
			t.Errorf("%s: timesteps %q and K %d go together, on score-function methods only", m.Label, m.Timesteps, m.K)
		}
		if m.Point && m.Estimator != "" {
			t.Errorf("%s: a point method has no sampling estimator", m.Label)
		}
	}
	for _, label := range []string{"diffusion-sf", "diffusion-sf-is", "diffusion-rp", "gaussian-sf", "gaussian-rp",
		"deterministic", "two-stage-diffusion", "two-stage-gaussian", "two-stage-mlp", "policy", "oracle",
		"equal-weight", "population-optimum", "true-saa", "diffusion-sf-k50", "diffusion-sf-is-k50"} {
		if !seen[label] {
			t.Errorf("contract label %q missing from Methods", label)
		}
	}
	if len(seen) != 16 {
		t.Errorf("%d labels, the contract has 16", len(seen))
	}
	for _, label := range AblationMethods() {
		if m, ok := LookupMethod(label); !ok || m.Estimator == "" {
			t.Errorf("ablation row %q is not a known diffusion DFL method", label)
		}
	}
	for _, a := range PaperAblations() {
		if !strings.HasPrefix(a.Method, "diffusion-") || !seen[a.Method] || !strings.HasPrefix(a.Source, "power.md §0") {
			t.Errorf("paper ablation row %+v: unknown label or source", a)
		}
	}
	want := map[string][2]float64{"diffusion-sf": {3.2251, 0.83}, "diffusion-sf-k50": {3.1551, 3.50}, "diffusion-rp": {3.1525, 60.7}}
	for label, w := range want {
		if a, ok := LookupPaperAblation(label); !ok || a.Loss != w[0] || a.GPUGB != w[1] {
			t.Errorf("%s: paper ablation %+v, want loss %v and %v GB", label, a, w[0], w[1])
		}
	}
}
