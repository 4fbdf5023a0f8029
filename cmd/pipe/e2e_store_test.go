package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// objectPath returns the file of the object a stage's latest run wrote.
func objectPath(t *testing.T, dir, stage, output string) string {
	t.Helper()
	whole, err := artifacts.OpenDir(filepath.Join(dir, ".pipe"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := whole.WithNamespace(pipeline.ProjectNamespace(filepath.Join(dir, "pipelines.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	key, err := s.GetRef(ctx, "stages/"+stage)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.GetRecord(ctx, artifacts.Key(key))
	if err != nil {
		t.Fatal(err)
	}
	d := string(rec.Outputs[output])
	return filepath.Join(dir, ".pipe", "objects", d[:2], d)
}

func countFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestE2EGC(t *testing.T) {
	dir := copyExample(t)
	mustPipe(t, dir, "run", "all")
	edit(t, dir, "pipelines.yaml", "lines: 200", "lines: 50")
	mustPipe(t, dir, "run", "all")
	objects := filepath.Join(dir, ".pipe", "objects")
	before := countFiles(t, objects)
	dry := mustPipe(t, dir, "gc", "--dry-run").stdout
	if !strings.HasPrefix(dry, "would remove 7 records") {
		t.Fatalf("gc --dry-run: %s", dry)
	}
	if countFiles(t, objects) != before {
		t.Fatal("gc --dry-run removed objects")
	}
	if out := mustPipe(t, dir, "gc").stdout; !strings.HasPrefix(out, "removed 7 records") {
		t.Fatalf("gc: %s", out)
	}
	if countFiles(t, objects) >= before {
		t.Fatal("gc removed no objects")
	}
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "all").stdout)
	if strings.Contains(got, ":ran") {
		t.Fatalf("gc removed what the latest run uses: %s", got)
	}
	edit(t, dir, "pipelines.yaml", "lines: 50", "lines: 200")
	if got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "all").stdout); !strings.Contains(got, "text-1:ran") {
		t.Fatalf("collected results were reused: %s", got)
	}
}

func TestE2EVerify(t *testing.T) {
	dir := copyExample(t)
	mustPipe(t, dir, "run", "all")
	if out := mustPipe(t, dir, "verify").stdout; !strings.Contains(out, "all objects match") {
		t.Fatalf("verify of a healthy store: %s", out)
	}
	p := objectPath(t, dir, "text-2", "text")
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("tampered\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := pipeIn(t, dir, "verify")
	if r.code != 1 || !strings.Contains(r.stdout, "CORRUPT "+filepath.Base(p)) || !strings.Contains(r.stderr, "1 corrupt objects quarantined") {
		t.Fatalf("verify of a corrupt store (exit %d):\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "all").stdout)
	if got != "count-1:cached count-2:cached count-3:cached summary:cached text-1:cached text-2:ran text-3:cached" {
		t.Fatalf("after quarantine: %s", got)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) == "tampered\n" {
		t.Fatalf("object not restored: %q %v", b, err)
	}
}

// TestE2ECorruptInputReruns corrupts an object that a stale stage reads:
// the run quarantines it, reruns its producer, then the reader.
func TestE2ECorruptInputReruns(t *testing.T) {
	dir := copyExample(t)
	mustPipe(t, dir, "run", "all")
	p := objectPath(t, dir, "count-3", "counts")
	_ = os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte("x,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "pipelines.yaml", "| sort > ", "| sort -r > ")
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "all").stdout)
	if got != "count-1:cached count-2:cached count-3:ran summary:ran text-1:cached text-2:cached text-3:cached" {
		t.Fatalf("corrupt input: %s", got)
	}
}

const slowYAML = `
stages:
  first: {run: 'echo first > "$PIPE_OUT_O"', outputs: [o]}
  slow:
    run: 'if [ -f slow ]; then sleep 30; fi; cat "$PIPE_IN_I" > "$PIPE_OUT_O"'
    inputs: {i: first.o}
    outputs: [o]
`

// TestE2EInterruptResume interrupts a run while a stage sleeps: pipe exits
// 130 promptly, records nothing for the stage, and the next run resumes.
func TestE2EInterruptResume(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", slowYAML)
	writeFile(t, dir, "slow", "")
	cmd := exec.Command(pipeBin, "run")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "running stage slow") {
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() { // drain
		for sc.Scan() {
		}
	}()
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted pipe: %v, want exit 130", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("pipe took %v to stop", time.Since(start))
	}
	if r := mustPipe(t, dir, "status", "--json"); !strings.Contains(r.stdout, `"reason": "never run"`) {
		t.Fatalf("interrupted stage looks recorded:\n%s", r.stdout)
	}
	os.Remove(filepath.Join(dir, "slow"))
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json").stdout)
	if got != "first:cached slow:ran" {
		t.Fatalf("resume: %s", got)
	}
}

// TestE2EConcurrentRuns starts two pipe processes on one store: each stage
// must run exactly once, the other process reusing its result.
func TestE2EConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "executions")
	var b strings.Builder
	b.WriteString("stages:\n")
	for _, n := range []string{"a", "b", "c", "d"} {
		b.WriteString("  " + n + ":\n    run: 'echo " + n + " >> executions; sleep 0.3; echo " + n + " > \"$PIPE_OUT_O\"'\n    outputs: [o]\n")
	}
	b.WriteString("  all:\n    run: 'cat $PIPE_IN_A $PIPE_IN_B $PIPE_IN_C $PIPE_IN_D > \"$PIPE_OUT_O\"; echo all >> executions'\n    inputs: {a: a.o, b: b.o, c: c.o, d: d.o}\n    outputs: [o]\n")
	writeFile(t, dir, "pipelines.yaml", b.String())
	var wg sync.WaitGroup
	outs := make([]result, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = pipeIn(t, dir, "run", "--json", "--jobs", "2")
		}()
	}
	wg.Wait()
	for i, r := range outs {
		if r.code != 0 {
			t.Fatalf("run %d exited %d: %s", i, r.code, r.stderr)
		}
	}
	lines, err := os.ReadFile(counter)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(string(lines))
	if len(got) != 5 {
		t.Fatalf("stages executed %v; want each of a b c d all exactly once", got)
	}
	ran := 0
	for _, r := range outs {
		var out runOut
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Stages {
			if s.Status == "ran" {
				ran++
			}
		}
	}
	if ran != 5 {
		t.Fatalf("the two runs report %d executions, want 5", ran)
	}
}
