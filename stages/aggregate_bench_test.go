package stages

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// BenchmarkAggregatePaperScale aggregates the paper profile's fan-in (four
// datasets × twelve methods × ten seeds of metrics, plus the stats of the
// DFL runs) and renders both tables from the summary.
func BenchmarkAggregatePaperScale(b *testing.B) {
	var evals []fakeEval
	var stats []fakeStats
	for _, ds := range []struct{ task, label string }{{"synthetic", "synthetic"}, {"power", "power"},
		{"portfolio", "portfolio"}, {"portfolio", "portfolio-legacy"}} {
		for _, m := range Methods()[:12] {
			for seed := 0; seed < 10; seed++ {
				stage := fmt.Sprintf("eval-%s-%s-s%d", m.Label, ds.label, seed)
				evals = append(evals, fakeEval{stage: stage, task: ds.task, dataset: ds.label, method: m.Label,
					seed: seed, m: 16, test: 1 + 0.01*float64(seed), hold: 1, rmse: 0.5})
				if m.Estimator != "" {
					stats = append(stats, fakeStats{stage: "dfl-" + stage, task: ds.task, dataset: ds.label, method: m.Label,
						seed: seed, secPerStep: 0.3, heap: 1e8, est: 1e7, estimator: m.Estimator, timesteps: m.Timesteps})
				}
			}
		}
	}
	in := aggregateInputs(b, evals, stats)
	defer releaseInputs(in)
	params := pipeline.Params{"ablation_dataset": "power", "metric_digits": 4}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := runAggregate(context.Background(), in, defaultAggregateParams(b), &tablesLog{})
		if err != nil {
			b.Fatal(err)
		}
		sum := out["summary"]
		tabs, err := runPaperTables(context.Background(), pipeline.Inputs{Tables: map[string]arrow.Record{"summary": sum}}, params, &tablesLog{})
		if err != nil {
			b.Fatal(err)
		}
		sum.Release()
		for _, r := range tabs {
			r.Release()
		}
	}
}
