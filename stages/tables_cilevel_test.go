package stages

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestCILabelFollowsLevel runs aggregate at ci_level 0.9: its log and
// Table 1's interval column must say 90 %, not 95 %.
func TestCILabelFollowsLevel(t *testing.T) {
	evals, stats := tablesFixture()
	in := aggregateInputs(t, evals, stats)
	defer releaseInputs(in)
	p := defaultAggregateParams(t)
	p["ci_level"] = 0.9
	alog := &tablesLog{}
	agg, err := runAggregate(context.Background(), in, p, alog)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range agg {
		defer r.Release()
	}
	logged := strings.Join(alog.lines, "\n")
	if !strings.Contains(logged, "90% CI") || strings.Contains(logged, "95% CI") {
		t.Errorf("aggregate log at ci_level 0.9:\n%s", logged)
	}
	out, err := runPaperTables(context.Background(), pipeline.Inputs{Tables: map[string]arrow.Record{"summary": agg["summary"], "paired": agg["paired"]}},
		pipeline.Params{"ablation_dataset": "power", "metric_digits": 4}, &tablesLog{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out {
		defer r.Release()
	}
	s := out["table1"].Schema()
	if len(s.FieldIndices("90% CI")) != 1 || len(s.FieldIndices("95% CI")) != 0 {
		t.Errorf("table1 columns at ci_level 0.9: %v", s)
	}
	for level, want := range map[float64]string{0.95: "95% CI", 0.975: "97.5% CI", 0.5: "50% CI"} {
		if got := ciName(level); got != want {
			t.Errorf("ciName(%g) = %q, want %q", level, got, want)
		}
	}
}
