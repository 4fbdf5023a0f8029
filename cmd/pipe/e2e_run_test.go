package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fanYAML has one failing stage with five stages below it.
const fanYAML = `
stages:
  bad: {run: 'echo failing >&2; exit 7', outputs: [o]}
  below-${i}:
    matrix: {i: [1, 2, 3, 4, 5]}
    run: 'cat "$PIPE_IN_I" > "$PIPE_OUT_O"'
    inputs: {i: bad.o}
    outputs: [o]
`

func TestE2ESkippedSummary(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", fanYAML)
	r := pipeIn(t, dir, "run")
	if r.code != 1 || strings.Count(r.stderr, "skipped") != 2 || !strings.Contains(r.stderr, "skipped 5 stages: 5 below a failed stage") {
		t.Errorf("want one summary line of skipped stages (and the count in the totals):\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "stage bad: stage bad") || !strings.Contains(r.stderr, "FAILED stage bad: ") || !strings.Contains(r.stderr, "exit status 7") {
		t.Errorf("failure line:\n%s", r.stderr)
	}
	r = pipeIn(t, dir, "run", "--verbose")
	if n := strings.Count(r.stderr, "skipped stage below-"); n != 5 {
		t.Errorf("--verbose lists %d skipped stages, want 5:\n%s", n, r.stderr)
	}
}

func TestE2EInterrupt(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", `
stages:
  slow: {run: 'sleep 30; echo x > "$PIPE_OUT_O"', outputs: [o]}
  after: {run: 'cat "$PIPE_IN_I" > "$PIPE_OUT_O"', inputs: {i: slow.o}, outputs: [o]}
`)
	cmd := exec.Command(pipeBin, "run")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	var stderr syncBuf
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && !strings.Contains(stderr.String(), "running stage slow"); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130:\n%s", err, stderr.String())
	}
	out := stderr.String()
	if !strings.Contains(out, "interrupted stage slow") || strings.Contains(out, "FAILED") || strings.Contains(out, "context canceled") ||
		!strings.Contains(out, "1 interrupted") {
		t.Errorf("interrupt report:\n%s", out)
	}
}

func TestE2EValidationMessages(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", `
stages:
  make-${i}:
    matrix: {i: [1, 2, 3]}
    rnu: 'echo $PIPE_PARAM_I > "$PIPE_OUT_O"'
    outputs: [o]
  use-${i}:
    matrix: {i: [1, 2, 3]}
    run: 'cat "$PIPE_IN_I" > "$PIPE_OUT_O"'
    inputs:
      i: make-${i}.o
    outputs: [o]
`)
	r := pipeIn(t, dir, "status")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || len(lines) != 2 || !strings.Contains(lines[0], `pipelines.yaml:5: stage "make-${i}": unknown key "rnu" (did you mean "run"?)`) ||
		!strings.Contains(lines[1], "follow-on problems") {
		t.Errorf("one typo, want one error and a follow-on note:\n%s", r.stderr)
	}
	writeFile(t, dir, "pipelines.yaml", "stages:\n  a:\n    run: echo\n    outputs: [o]\n    params:\n      x: 1\n     y: 2\n")
	if r := pipeIn(t, dir, "status"); !strings.Contains(r.stderr, "pipelines.yaml:7: yaml:") {
		t.Errorf("indentation error on line 7 reported as:\n%s", r.stderr)
	}
	writeFile(t, dir, "pipelines.yaml", tablesYAML)
	if r := pipeIn(t, dir, "run", "tabels"); r.code != 1 || !strings.Contains(r.stderr, `(did you mean "tables"?)`) {
		t.Errorf("unknown target: %+v", r)
	}
}

func TestE2EDryRunForceGlobs(t *testing.T) {
	dir := copyExample(t)
	r := mustPipe(t, dir, "run", "-n", "all")
	if !strings.Contains(r.stdout, "would run text-1: never run") || !strings.Contains(r.stdout, "dry run: 7 would run, 0 cached") {
		t.Errorf("dry run:\n%s", r.stdout)
	}
	if r := pipeIn(t, dir, "status", "--exit-code"); r.code != 1 {
		t.Errorf("status --exit-code with stale stages exited %d", r.code)
	}
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "count-*").stdout)
	if got != "count-1:ran count-2:ran count-3:ran text-1:ran text-2:ran text-3:ran" {
		t.Errorf("glob target run: %s", got)
	}
	mustPipe(t, dir, "run", "all")
	mustPipe(t, dir, "status", "--exit-code")
	got, _ = statusesOf(t, mustPipe(t, dir, "run", "--json", "all", "-F", "text-2").stdout)
	if got != "count-1:cached count-2:cached count-3:cached summary:cached text-1:cached text-2:ran text-3:cached" {
		t.Errorf("-F text-2: %s", got)
	}
	got, _ = statusesOf(t, mustPipe(t, dir, "run", "--json", "--force", "text-1").stdout)
	if got != "text-1:ran" {
		t.Errorf("--force text-1: %s", got)
	}
	st := mustPipe(t, dir, "status", "text-[12]").stdout
	if !strings.Contains(st, "2 stale, 0 cached") && !strings.Contains(st, "0 stale, 2 cached") {
		t.Errorf("status with a glob:\n%s", st)
	}
	if r := pipeIn(t, dir, "status", "nothing-*"); r.code == 0 || !strings.Contains(r.stderr, "matches no pipeline or stage") {
		t.Errorf("glob without matches: %+v", r)
	}
	if r := mustPipe(t, dir, "stages", "data-pow*"); strings.Count(r.stdout, "kind: ") != 1 || !strings.Contains(r.stdout, "kind: data-power") {
		t.Errorf("stages data-pow*:\n%s", r.stdout)
	}
	if r := pipeIn(t, dir, "stages", "data-powr"); r.code == 0 || !strings.Contains(r.stderr, `did you mean "data-power"`) {
		t.Errorf("stages data-powr: %+v", r)
	}
}

// TestE2EProgressLines runs a stage twice off a terminal: the second run
// prints periodic progress lines with an ETA from the first run's duration.
func TestE2EProgressLines(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", "stages:\n  nap: {run: 'sleep 1; echo x > \"$PIPE_OUT_O\"', outputs: [o]}\n")
	mustPipe(t, dir, "run")
	r := mustPipe(t, dir, "run", "--force", "--progress-every", "200ms")
	if n := strings.Count(r.stderr, "0 pending · 1 running"); n < 2 || !strings.Contains(r.stderr, "(nap ") || !strings.Contains(r.stderr, "ETA ~") {
		t.Errorf("want periodic progress lines with an ETA:\n%s", r.stderr)
	}
}

// syncBuf is a goroutine-safe buffer for a running command's output.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
