package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/stat"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// tablesLog is a pipeline.Reporter that keeps log lines for assertions.
type tablesLog struct{ lines []string }

func (l *tablesLog) Logf(format string, args ...any) {
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}
func (l *tablesLog) Log() io.Writer                          { return io.Discard }
func (l *tablesLog) Progress(done, total int64, unit string) {}

// runAggregateOn runs the aggregate kind and returns its summary.
func runAggregateOn(t testing.TB, evals []fakeEval, stats []fakeStats) (arrow.Record, error) {
	t.Helper()
	in := aggregateInputs(t, evals, stats)
	defer releaseInputs(in)
	out, err := runAggregate(context.Background(), in, defaultAggregateParams(t), &tablesLog{})
	if err != nil {
		return nil, err
	}
	return out["summary"], nil
}

// defaultAggregateParams returns the aggregate kind's default params.
func defaultAggregateParams(t testing.TB) pipeline.Params {
	t.Helper()
	k := aggregateKind()
	p, problems := k.CheckParams(pipeline.Params{})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return p
}

// summaryRows reads a summary into (dataset/method/split/metric) → row.
func summaryRows(t testing.TB, rec arrow.Record) map[string]summaryRow {
	t.Helper()
	idx, err := readSummary(rec)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]summaryRow{}
	for k, r := range idx.rows {
		out[strings.Join(k[:], "/")] = r
	}
	return out
}

func fakePowerEval(stage, method string, seed int, m int64, test float64) fakeEval {
	return fakeEval{stage: stage, task: "power", dataset: "power", method: method, seed: seed, m: m, test: test, hold: test + 0.5, rmse: 0.1}
}

func TestAggregateMeanAndSampleStd(t *testing.T) {
	// Seeds given out of order (10 before 2) to check the numeric seed sort.
	rec, err := runAggregateOn(t, []fakeEval{
		fakePowerEval("eval-power-diffusion-sf-s10", "diffusion-sf", 10, 16, 4),
		fakePowerEval("eval-power-diffusion-sf-s0", "diffusion-sf", 0, 16, 1),
		fakePowerEval("eval-power-diffusion-sf-s2", "diffusion-sf", 2, 16, 2),
		fakePowerEval("eval-power-diffusion-rp-s0", "diffusion-rp", 0, 16, 3.25),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	rows := summaryRows(t, rec)
	got := rows["power/diffusion-sf/test/task_loss"]
	// Values 1, 2, 4: mean 7/3; deviations −4/3, −1/3, 5/3 give Σd² = 42/9,
	// so s² = (42/9)/2 = 7/3.
	if got.nSeeds != 3 || math.Abs(got.mean-7.0/3) > 1e-15 || math.Abs(got.std-math.Sqrt(7.0/3)) > 1e-15 {
		t.Errorf("diffusion-sf test: n=%d mean=%v std=%v, want 3, 7/3, sqrt(7/3)", got.nSeeds, got.mean, got.std)
	}
	if got.seeds != "0,2,10" || got.task != "power" || got.m != 16 {
		t.Errorf("seeds %q task %q m %d, want \"0,2,10\", power, 16", got.seeds, got.task, got.m)
	}
	if hold := rows["power/diffusion-sf/hold/task_loss"]; math.Abs(hold.mean-(7.0/3+0.5)) > 1e-14 {
		t.Errorf("hold mean %v, want %v", hold.mean, 7.0/3+0.5)
	}
	one := rows["power/diffusion-rp/test/task_loss"]
	if one.nSeeds != 1 || one.mean != 3.25 || !math.IsNaN(one.std) {
		t.Errorf("one seed: n=%d mean=%v std=%v, want 1, 3.25, NaN", one.nSeeds, one.mean, one.std)
	}
	if _, ok := rows["power/diffusion-sf/test/return_pct"]; ok {
		t.Error("return_pct is NaN on power for every seed and must not be summarized")
	}
	if r := rows["power/diffusion-sf/test/rmse_hour_sum"]; r.nSeeds != 3 || math.Abs(r.mean-2.4) > 1e-12 || r.std != 0 {
		t.Errorf("rmse_hour_sum: %+v, want 3 seeds of 2.4", r)
	}
}

func TestSeedMeanStdMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	for n := 2; n < 12; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = 1e6 + rng.NormFloat64() // far from zero: tests the two-pass form
		}
		m, s := seedMeanStd(x)
		wm, ws := stat.MeanStdDev(x, nil)
		if math.Abs(m-wm) > 1e-9 || math.Abs(s-ws) > 1e-9*ws {
			t.Errorf("n=%d: mean, std = %v, %v; gonum %v, %v", n, m, s, wm, ws)
		}
	}
}

func TestAggregateSkipsNaNSeeds(t *testing.T) {
	bad := fakePowerEval("eval-power-gaussian-sf-s1", "gaussian-sf", 1, 16, math.NaN())
	rec, err := runAggregateOn(t, []fakeEval{
		fakePowerEval("eval-power-gaussian-sf-s0", "gaussian-sf", 0, 16, 5),
		bad,
		fakePowerEval("eval-power-gaussian-sf-s2", "gaussian-sf", 2, 16, 7),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	got := summaryRows(t, rec)["power/gaussian-sf/test/task_loss"]
	if got.nSeeds != 2 || got.mean != 6 || got.seeds != "0,2" || got.nanSeeds != "1" {
		t.Errorf("got n=%d mean=%v seeds=%q nan_seeds=%q, want 2, 6, \"0,2\", \"1\"", got.nSeeds, got.mean, got.seeds, got.nanSeeds)
	}
	if math.Abs(got.std-math.Sqrt2) > 1e-15 {
		t.Errorf("std %v, want sqrt(2)", got.std)
	}
	// The left-out seed is also reported in the stage's log.
	in := aggregateInputs(t, []fakeEval{fakePowerEval("eval-a", "gaussian-sf", 0, 16, 5), bad}, nil)
	defer releaseInputs(in)
	log := &tablesLog{}
	out, err := runAggregate(context.Background(), in, defaultAggregateParams(t), log)
	if err != nil {
		t.Fatal(err)
	}
	out["summary"].Release()
	if joined := strings.Join(log.lines, "\n"); !strings.Contains(joined, "warning: power gaussian-sf test task_loss is NaN for seeds 1") {
		t.Errorf("log lacks the NaN warning:\n%s", joined)
	}
}

func TestAggregateStatsRows(t *testing.T) {
	rec, err := runAggregateOn(t,
		[]fakeEval{fakePowerEval("eval-a", "diffusion-sf-is", 0, 16, 3), fakePowerEval("eval-b", "diffusion-sf-is", 1, 16, 3)},
		[]fakeStats{
			{stage: "dfl-a", task: "power", dataset: "power", method: "diffusion-sf-is", seed: 0, secPerStep: 0.2, heap: 100, est: 10, estimator: "sf", timesteps: "importance", k: "10", s: "20"},
			{stage: "dfl-b", task: "power", dataset: "power", method: "diffusion-sf-is", seed: 1, secPerStep: 0.4, heap: 300, est: 30, estimator: "sf", timesteps: "importance", k: "10", s: "20"},
		})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	rows := summaryRows(t, rec)
	for metric, want := range map[string]float64{"sec_per_step_mean": 0.3, "peak_heap_bytes": 200, "estimator_bytes": 20, "best_epoch": 3.5, "steps": 200} {
		r, ok := rows["power/diffusion-sf-is/train/"+metric]
		if !ok || math.Abs(r.mean-want) > 1e-12 || r.nSeeds != 2 {
			t.Errorf("%s: %+v (present %v), want mean %v over 2 seeds", metric, r, ok, want)
		}
		if r.config.k != "10" || r.config.stepsS != "20" {
			t.Errorf("%s: config %+v, want K 10, steps_S 20", metric, r.config)
		}
	}
}

// TestAggregateErrors checks that each inconsistency fails loudly with a
// message naming the stages involved.
func TestAggregateErrors(t *testing.T) {
	sfStats := func(stage string, seed int, estimator, timesteps string) fakeStats {
		return fakeStats{stage: stage, task: "power", dataset: "power", method: "diffusion-sf", seed: seed,
			estimator: estimator, timesteps: timesteps, k: "10", s: "20"}
	}
	cases := []struct {
		name   string
		evals  []fakeEval
		stats  []fakeStats
		target error
		want   []string
	}{
		{"duplicate seed", []fakeEval{fakePowerEval("eval-x-s0", "diffusion-sf", 0, 16, 3), fakePowerEval("eval-y-s0", "diffusion-sf", 0, 16, 3)}, nil,
			ErrInconsistentRuns, []string{"eval-x-s0", "eval-y-s0", `"diffusion-sf"`, "seed 0"}},
		{"mixed M", []fakeEval{
			fakePowerEval("eval-power-diffusion-sf-s0", "diffusion-sf", 0, 16, 3),
			fakePowerEval("eval-power-gaussian-sf-s0", "gaussian-sf", 0, 32, 4),
			fakePowerEval("eval-power-deterministic-s0", "deterministic", 0, 1, 5), // point method: exempt
		}, nil, ErrInconsistentRuns, []string{"M=16 in eval-power-diffusion-sf-s0 (diffusion-sf)", "M=32 in eval-power-gaussian-sf-s0 (gaussian-sf)", `dataset "power"`}},
		{"mixed M across seeds of a point method", []fakeEval{
			fakePowerEval("eval-det-s0", "deterministic", 0, 1, 5), fakePowerEval("eval-det-s1", "deterministic", 1, 4, 5),
		}, nil, ErrInconsistentRuns, []string{`method "deterministic"`, "M=1 in eval-det-s0", "M=4 in eval-det-s1"}},
		{"task mismatch", []fakeEval{
			fakePowerEval("eval-a", "diffusion-sf", 0, 16, 3),
			{stage: "eval-b", task: "synthetic", dataset: "power", method: "diffusion-rp", seed: 0, m: 16},
		}, nil, ErrInconsistentRuns, []string{"eval-a", "eval-b", `"synthetic"`}},
		{"estimator contradicts label", []fakeEval{fakePowerEval("eval-a", "diffusion-sf", 0, 16, 3)},
			[]fakeStats{sfStats("dfl-a", 0, "rp", "")}, ErrInconsistentRuns, []string{"dfl-a", `"diffusion-sf"`, `"rp"`}},
		{"timesteps contradict label", []fakeEval{fakePowerEval("eval-a", "diffusion-sf", 0, 16, 3)},
			[]fakeStats{sfStats("dfl-a", 0, "sf", "importance")}, ErrInconsistentRuns, []string{"dfl-a", "uniform", `"importance"`}},
		{"seeds disagree on config", []fakeEval{fakePowerEval("eval-a", "diffusion-sf", 0, 16, 3)},
			[]fakeStats{sfStats("dfl-a", 0, "sf", "uniform"), func() fakeStats { s := sfStats("dfl-b", 1, "sf", "uniform"); s.k = "50"; return s }()},
			ErrInconsistentRuns, []string{"dfl-a", "dfl-b", `K="50"`}},
		{"duplicate stats", []fakeEval{fakePowerEval("eval-a", "diffusion-sf", 0, 16, 3)},
			[]fakeStats{sfStats("dfl-a", 0, "sf", "uniform"), sfStats("dfl-b", 0, "sf", "uniform")}, ErrInconsistentRuns, []string{"stats stages dfl-a and dfl-b"}},
		{"no metrics", nil, nil, ErrAggregateInput, []string{"no metrics inputs"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runAggregateOn(t, c.evals, c.stats)
			if !errors.Is(err, c.target) {
				t.Fatalf("err = %v, want %v", err, c.target)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestAggregateRejectsBadRecords(t *testing.T) {
	good := fakePowerEval("eval-a", "diffusion-sf", 0, 16, 3)
	noSeed := func(t testing.TB) arrow.Record {
		rec, err := arrowtab.NewBuilder().String("split", []string{"test"}).
			Record(map[string]string{arrowtab.MetaKind: "metrics", "task": "power", "dataset": "power", "method": "x"})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	wrongKind := func(t testing.TB) arrow.Record {
		rec := fakeStatsRecord(t, fakeStats{stage: "dfl-a", task: "power", dataset: "power", method: "diffusion-sf", seed: 0})
		return rec
	}
	noColumn := func(t testing.TB) arrow.Record {
		rec, err := arrowtab.NewBuilder().String("split", []string{"test"}).Int64("m", []int64{16}).
			Record(map[string]string{arrowtab.MetaKind: "metrics", "task": "power", "dataset": "power", "method": "x", "seed": "0"})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	badSeed := func(t testing.TB) arrow.Record {
		e := good
		rec := fakeMetricsRecord(t, e)
		md := map[string]string{}
		for i, k := range rec.Schema().Metadata().Keys() {
			md[k] = rec.Schema().Metadata().Values()[i]
		}
		md["seed"] = "zero"
		b := &tableBuilder{}
		b.fields, b.cols = rec.Schema().Fields(), rec.Columns()
		for _, c := range b.cols {
			c.Retain()
		}
		defer rec.Release()
		return b.record(md)
	}
	for _, c := range []struct {
		name  string
		make  func(testing.TB) arrow.Record
		wants []string
	}{
		{"missing seed", noSeed, []string{"eval-bad", "lacks seed"}},
		{"stats wired as metrics", wrongKind, []string{"eval-bad", `"stats"`, `want "metrics"`}},
		{"missing column", noColumn, []string{"eval-bad", "task_loss"}},
		{"seed not an integer", badSeed, []string{"eval-bad", `"zero"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := aggregateInputs(t, []fakeEval{good}, nil)
			in.Tables["metrics/eval-bad.metrics"] = c.make(t)
			defer releaseInputs(in)
			_, err := runAggregate(context.Background(), in, defaultAggregateParams(t), &tablesLog{})
			if !errors.Is(err, ErrAggregateInput) {
				t.Fatalf("err = %v, want ErrAggregateInput", err)
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
