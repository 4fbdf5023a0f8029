package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// fakeExecutor "runs" a task by storing a deterministic function of it. It
// records concurrency, and can fail or block chosen stages.
type fakeExecutor struct {
	store   artifacts.Store
	fail    map[string]bool
	block   map[string]bool // wait for the context to end
	started chan string     // receives blocked stages' names when they start
	mu      sync.Mutex
	running int
	maxRun  int
	ran     []string
}

func (x *fakeExecutor) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	x.mu.Lock()
	x.running++
	if x.running > x.maxRun {
		x.maxRun = x.running
	}
	x.ran = append(x.ran, t.Stage)
	x.mu.Unlock()
	defer func() {
		x.mu.Lock()
		x.running--
		x.mu.Unlock()
	}()
	time.Sleep(5 * time.Millisecond) // long enough for concurrency to show
	if x.block[t.Stage] {
		x.started <- t.Stage
		<-ctx.Done()
		return nil, ctx.Err()
	}
	log, err := x.store.Put(ctx, strings.NewReader("log of "+t.Stage))
	if err != nil {
		return nil, err
	}
	if x.fail[t.Stage] {
		return &pipeline.Result{Log: log}, fmt.Errorf("%w: %s exploded", pipeline.ErrStageFailed, t.Stage)
	}
	params, _ := pipeline.Canonical(t.Params)
	res := &pipeline.Result{Log: log, Outputs: map[string]artifacts.Digest{}}
	for _, o := range t.Outputs {
		body := fmt.Sprintf("%s.%s %s %v", t.Stage, o, params, t.Inputs)
		d, err := x.store.Put(ctx, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		res.Outputs[o] = d
	}
	return res, nil
}

// diamondYAML: a → b → c, a → d, and e alone. Commands differ, since
// stages with equal definitions share a key (and so a result).
const diamondYAML = `
stages:
  a: {run: a, outputs: [o]}
  b: {run: b, outputs: [o], inputs: {i: a.o}}
  c: {run: c, outputs: [o], inputs: {i: b.o}}
  d: {run: d, outputs: [o], inputs: {i: a.o}}
  e: {run: e, outputs: [o]}
`

func loadEngine(t *testing.T, src string, s artifacts.Store, x pipeline.Executor) *pipeline.Engine {
	t.Helper()
	f, err := pipeline.Parse("p.yaml", []byte(src), pipeline.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Dir = t.TempDir()
	return pipeline.NewEngine(pipeline.Config{File: f, Store: s, Executor: x})
}

func statuses(r *pipeline.Report) string {
	var parts []string
	for _, s := range r.Stages {
		parts = append(parts, s.Name+":"+s.Status)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestSchedulerParallelism(t *testing.T) {
	var b strings.Builder
	b.WriteString("stages:\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "  s%d: {run: x, outputs: [o], params: {i: %d}}\n", i, i)
	}
	s := artifacts.NewMemStore()
	x := &fakeExecutor{store: s}
	rep, err := loadEngine(t, b.String(), s, x).Run(context.Background(), nil, pipeline.RunOptions{Jobs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(pipeline.StatusRan) != 12 || x.maxRun != 3 {
		t.Fatalf("ran %d stages with at most %d at once; want 12 with exactly 3", rep.Count(pipeline.StatusRan), x.maxRun)
	}
}

func TestSchedulerFailureSkipsDependents(t *testing.T) {
	cases := []struct {
		name      string
		keepGoing bool
		want      string
	}{
		// Jobs 1 and name order: a runs first and fails; without
		// --keep-going nothing else starts.
		{"stop", false, "a:failed b:skipped c:skipped d:skipped e:skipped"},
		{"keep going", true, "a:failed b:skipped c:skipped d:skipped e:ran"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := artifacts.NewMemStore()
			x := &fakeExecutor{store: s, fail: map[string]bool{"a": true}}
			eng := loadEngine(t, diamondYAML, s, x)
			rep, err := eng.Run(context.Background(), nil, pipeline.RunOptions{Jobs: 1, KeepGoing: c.keepGoing})
			if !errors.Is(err, pipeline.ErrStageFailed) {
				t.Fatalf("err = %v, want ErrStageFailed", err)
			}
			if got := statuses(rep); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			failed := rep.Failed()
			if len(failed) != 1 || !strings.Contains(failed[0].LogTail, "log of a") {
				t.Fatalf("failure report %+v lacks the log tail", failed)
			}
			if _, err := s.GetRef(context.Background(), "logs/a"); err != nil {
				t.Errorf("failed stage's log ref: %v", err)
			}
			n := 0
			_ = s.Records(context.Background(), func(r *artifacts.RunRecord) error {
				if r.Stage == "a" {
					t.Errorf("a failed but has a record")
				}
				n++
				return nil
			})
			if n != rep.Count(pipeline.StatusRan) {
				t.Errorf("%d records for %d stages that ran", n, rep.Count(pipeline.StatusRan))
			}
		})
	}
}

// TestSchedulerCancel interrupts a run while c executes: nothing of c is
// recorded, and the next run resumes from what finished.
func TestSchedulerCancel(t *testing.T) {
	s := artifacts.NewMemStore()
	x := &fakeExecutor{store: s, block: map[string]bool{"c": true}, started: make(chan string, 1)}
	eng := loadEngine(t, diamondYAML, s, x)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-x.started
		cancel()
	}()
	rep, err := eng.Run(ctx, []string{"c"}, pipeline.RunOptions{Jobs: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := statuses(rep); got != "a:ran b:ran c:interrupted" {
		t.Fatalf("interrupted run: %s", got)
	}
	_ = s.Records(context.Background(), func(r *artifacts.RunRecord) error {
		if r.Stage == "c" {
			t.Error("cancelled stage c has a record")
		}
		return nil
	})
	if _, err := s.GetRef(context.Background(), "stages/c"); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("cancelled stage c has a stage ref (%v)", err)
	}
	x2 := &fakeExecutor{store: s}
	rep, err = loadEngine(t, diamondYAML, s, x2).Run(context.Background(), []string{"c"}, pipeline.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "a:cached b:cached c:ran" {
		t.Fatalf("resumed run: %s", got)
	}
}

func TestRunUnknownTarget(t *testing.T) {
	s := artifacts.NewMemStore()
	_, err := loadEngine(t, diamondYAML, s, &fakeExecutor{store: s}).Run(context.Background(), []string{"zz"}, pipeline.RunOptions{})
	if !errors.Is(err, pipeline.ErrUnknownTarget) {
		t.Fatalf("err = %v", err)
	}
}

// TestPipelineRefs checks the keys kept for gc after a run.
func TestPipelineRefs(t *testing.T) {
	s := artifacts.NewMemStore()
	src := diamondYAML + "pipelines:\n  left: [c]\n"
	rep, err := loadEngine(t, src, s, &fakeExecutor{store: s}).Run(context.Background(), []string{"left"}, pipeline.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.GetRef(context.Background(), pipeline.PipelineRef("left", ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range rep.Stages {
		if !strings.Contains(string(b), string(st.Key)) {
			t.Errorf("pipeline ref lacks %s's key", st.Name)
		}
	}
	if strings.Count(string(b), ",") != 2 {
		t.Errorf("pipeline ref %s should hold 3 keys (a, b, c)", b)
	}
}
