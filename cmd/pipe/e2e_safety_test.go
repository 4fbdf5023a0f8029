package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gcRaceYAML has a fast stage a and a stage b that says it started (the
// file b-started) and then takes two seconds.
const gcRaceYAML = `
stages:
  a: {run: 'echo a > "$PIPE_OUT_O"', outputs: [o]}
  b:
    run: 'touch b-started; sleep 2; cat "$PIPE_IN_I" > "$PIPE_OUT_O"'
    inputs: {i: a.o}
    outputs: [o]
`

// waitFile waits up to ten seconds for path to exist.
func waitFile(t *testing.T, path string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}

// TestE2EGCDuringRun starts `pipe gc` while a run is in its second stage:
// gc must wait for the run instead of deleting the first stage's record
// (written, but referenced only when the run ends), and both must succeed.
func TestE2EGCDuringRun(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", gcRaceYAML)
	run := exec.Command(pipeBin, "run", "--json")
	run.Dir, run.Env = dir, cleanEnv()
	var runOut bytes.Buffer
	run.Stdout = &runOut
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(dir, "b-started"))
	gc := mustPipe(t, dir, "gc")
	if err := run.Wait(); err != nil {
		t.Fatalf("run during gc: %v", err)
	}
	if !strings.Contains(gc.stderr, "waiting for it to finish") {
		t.Errorf("gc did not say it waited for the run: %q", gc.stderr)
	}
	if got, _ := statusesOf(t, runOut.String()); got != "a:ran b:ran" {
		t.Fatalf("run: %s", got)
	}
	if got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json").stdout); got != "a:cached b:cached" {
		t.Fatalf("gc during the run removed its work; the next run: %s", got)
	}
}

// TestE2ESharedStoreGC runs two projects on one store (PIPE_STORE) and
// collects from one of them: the other's results must survive. It also
// checks that gc removes the lock files of the keys it deletes.
func TestE2ESharedStoreGC(t *testing.T) {
	store := filepath.Join(t.TempDir(), "shared")
	one, two := t.TempDir(), t.TempDir()
	writeFile(t, one, "pipelines.yaml", "stages:\n  first: {run: 'echo one > \"$PIPE_OUT_O\"', outputs: [o]}\n")
	writeFile(t, two, "pipelines.yaml", "stages:\n  second: {run: 'echo two-${N} > \"$PIPE_OUT_O\"', outputs: [o]}\n")
	env := append(cleanEnv(), "PIPE_STORE="+store)
	mustPipeEnv(t, one, env, "run")
	mustPipeEnv(t, two, env, "run")
	edit(t, two, "pipelines.yaml", "two-", "two-b-")
	mustPipeEnv(t, two, env, "run")
	locks := filepath.Join(store, "locks")
	before := countFiles(t, locks)
	out := mustPipeEnv(t, two, env, "gc").stdout
	if !strings.HasPrefix(out, "removed 1 records") {
		t.Fatalf("gc from project two: %s", out)
	}
	if after := countFiles(t, locks); after != before-1 {
		t.Fatalf("lock files %d before gc, %d after; want the deleted key's removed", before, after)
	}
	got, _ := statusesOf(t, mustPipeEnv(t, one, env, "run", "--json").stdout)
	if got != "first:cached" {
		t.Fatalf("gc from project two removed project one's results: %s", got)
	}
}

// mustPipeEnv runs pipe in dir with the environment env and fails unless it exits 0.
func mustPipeEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(pipeBin, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pipe %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String()}
}

// recordOf returns the record file of a stage in the store of dir.
func recordOf(t *testing.T, dir, stage string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, ".pipe", "records", "*.json"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), `"stage":"`+stage+`"`) {
			return f
		}
	}
	t.Fatalf("no record of stage %s in %s", stage, dir)
	return ""
}

// TestE2ETruncatedRecord cuts a record file to 100 bytes: status and run
// must not fail on it; the run quarantines it and reruns its stage. Verify
// reports a damaged record and a dangling reference, and exits 1.
func TestE2ETruncatedRecord(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", strings.ReplaceAll(gcRaceYAML, "sleep 2", "true"))
	mustPipe(t, dir, "run")
	truncate := func(stage string) {
		p := recordOf(t, dir, stage)
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, b[:100], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	truncate("a")
	mustPipe(t, dir, "status")
	if got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json").stdout); got != "a:ran b:cached" {
		t.Fatalf("run after truncating a's record: %s", got)
	}
	mustPipe(t, dir, "gc")
	if out := mustPipe(t, dir, "verify").stdout; !strings.Contains(out, "all records parse") {
		t.Fatalf("verify of a repaired store: %s", out)
	}
	truncate("b")
	r := pipeIn(t, dir, "verify")
	if r.code != 1 || !strings.Contains(r.stdout, "CORRUPT record") || !strings.Contains(r.stdout, "BAD reference stages/b") {
		t.Fatalf("verify of a truncated record (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json").stdout); got != "a:cached b:ran" {
		t.Fatalf("run after verify: %s", got)
	}
}
