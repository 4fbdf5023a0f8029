package progress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/pipeline"
)

func TestPlainLines(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, false, 4)
	d.Start()
	now := time.Now()
	d.Observe(pipeline.Event{Type: pipeline.EventCached, Stage: "a", Time: now})
	d.Observe(pipeline.Event{Type: pipeline.EventStarted, Stage: "b", Reason: "never run", Time: now})
	d.Observe(pipeline.Event{Type: pipeline.EventProgress, Stage: "b", Done: 1, Total: 2, Unit: "epoch"})
	d.Observe(pipeline.Event{Type: pipeline.EventRan, Stage: "b", Duration: 1200 * time.Millisecond})
	d.Observe(pipeline.Event{Type: pipeline.EventFailed, Stage: "c", Err: errors.New("exit status 3"), LogTail: "oops"})
	d.Observe(pipeline.Event{Type: pipeline.EventSkipped, Stage: "d", Reason: "upstream stage c failed"})
	d.Stop()
	want := "cached stage a\nrunning stage b: never run\nran stage b in 1.20s\n" +
		"FAILED stage c: exit status 3\n  last lines of its log (pipe logs c):\n  | oops\n" +
		"skipped stage d: upstream stage c failed\n"
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestLiveBlock(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, true, 5)
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
