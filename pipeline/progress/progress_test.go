package progress

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/pipeline"
)

func TestPlainLines(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, Options{Stages: []string{"a", "b", "c", "d", "e"}, Every: -1})
	d.Start()
	now := time.Now()
	d.Observe(pipeline.Event{Type: pipeline.EventCached, Stage: "a", Time: now})
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "b", Reason: "never run", Time: now})
	d.Observe(pipeline.Event{Type: pipeline.EventProgress, Stage: "b", Done: 1, Total: 2, Unit: "epoch"})
	d.Observe(pipeline.Event{Type: pipeline.EventRan, Stage: "b", Duration: 1200 * time.Millisecond})
	d.Observe(pipeline.Event{Type: pipeline.EventFailed, Stage: "c", Err: errors.New("stage c: exit status 3"), LogTail: "oops"})
	d.Observe(pipeline.Event{Type: pipeline.EventSkipped, Stage: "d", Reason: "upstream stage c failed"})
	d.Observe(pipeline.Event{Type: pipeline.EventSkipped, Stage: "e", Reason: "upstream stage c failed"})
	d.Stop()
	want := "cached stage a\nrunning stage b: never run\nran stage b in 1.20s\n" +
		"FAILED stage c: exit status 3\n  last lines of its log (pipe logs c):\n  | oops\n" +
		"skipped 2 stages: 2 below a failed stage (--verbose lists them)\n"
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestVerboseAndInterrupted(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, Options{Stages: []string{"a", "b"}, Verbose: true, Every: -1})
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "a", Reason: "never run"})
	d.Observe(pipeline.Event{Type: pipeline.EventInterrupted, Stage: "a"})
	d.Observe(pipeline.Event{Type: pipeline.EventSkipped, Stage: "b", Reason: "run interrupted"})
	d.Stop()
	want := "running stage a: never run\ninterrupted stage a (nothing of it was recorded)\nskipped stage b: run interrupted\n"
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestStatusLinesOffTerminal(t *testing.T) {
	var b syncBuffer
	d := New(&b, Options{Stages: []string{"slow"}, Every: 20 * time.Millisecond})
	d.Start()
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "slow", Reason: "never run", Time: time.Now()})
	time.Sleep(90 * time.Millisecond)
	d.Stop()
	if n := strings.Count(b.String(), "0 pending · 1 running"); n < 2 || !strings.Contains(b.String(), "(slow ") {
		t.Fatalf("want periodic status lines naming the running stage, got:\n%s", b.String())
	}
}

func TestETA(t *testing.T) {
	d := New(&bytes.Buffer{}, Options{Live: true, Stages: []string{"a", "b", "c"}, Jobs: 2,
		Expected: map[string]time.Duration{"a": 60 * time.Second, "b": 40 * time.Second, "c": 20 * time.Second}})
	start := d.start
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "a", Time: start})
	// At 30 s: a has 30 s left, b and c 60 s pending; 90 s over 2 jobs.
	if got := d.head(start.Add(30 * time.Second)); !strings.HasSuffix(got, "ETA ~45s") {
		t.Errorf("head = %q, want ETA ~45s", got)
	}
	delete(d.opts.Expected, "c")
	if got := d.head(start.Add(30 * time.Second)); !strings.HasSuffix(got, "ETA ≥35s") {
		t.Errorf("head = %q, want a lower bound ETA ≥35s", got)
	}
}

func TestLiveBlock(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, Options{Live: true, Stages: []string{"a", "train", "eval", "x", "y"}})
	start := d.start
	d.Observe(pipeline.Event{Type: pipeline.EventCached, Stage: "a"})
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "train", Reason: "never run", Time: start})
	d.Observe(pipeline.Event{Type: pipeline.EventProgress, Stage: "train", Done: 12, Total: 24, Unit: "epoch"})
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "eval", Reason: "never run", Time: start})
	lines := d.block(start.Add(65 * time.Second))
	if lines[0] != "[01:05] 2 pending · 2 running · 1 cached · 0 done" {
		t.Errorf("head = %q", lines[0])
	}
	if !strings.Contains(lines[1], "train") || !strings.Contains(lines[1], "[============>           ] 12/24 epoch") {
		t.Errorf("bar line = %q", lines[1])
	}
	if !strings.Contains(lines[2], "eval") || !strings.Contains(lines[2], "running 1m5s") {
		t.Errorf("plain running line = %q", lines[2])
	}
	if strings.Contains(b.String(), "cached stage a") {
		t.Error("live mode printed a line per cached stage")
	}
	if !strings.Contains(b.String(), "\x1b[") {
		t.Error("live mode did not redraw with escape sequences")
	}
}

// syncBuffer is a bytes.Buffer safe for the display's ticker goroutine and
// the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
