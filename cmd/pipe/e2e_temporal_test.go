package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/pipeline/temporal/temporaltest"
)

// dagFile is a 20-stage DAG of shell stages: 6 sources, 8 stages that
// join two sources, 4 that join two joins, a summary of the four and a
// final stage. Each sleeps a little, so a run lasts long enough for a
// worker to be killed in the middle of it.
func dagFile() string {
	var b strings.Builder
	b.WriteString("stages:\n")
	stage := func(name, run string, inputs map[string]string) {
		fmt.Fprintf(&b, "  %s:\n    run: %q\n    outputs: [out]\n", name, run)
		if len(inputs) > 0 {
			b.WriteString("    inputs:\n")
			for k, v := range inputs {
				fmt.Fprintf(&b, "      %s: %s\n", k, v)
			}
		}
	}
	for i := range 6 {
		stage(fmt.Sprintf("src%d", i), fmt.Sprintf(`sleep 1; seq %d > "$PIPE_OUT_OUT"`, 10+i), nil)
	}
	n := 0
	join := func() string { // the index keeps equal inputs from giving equal keys
		n++
		return fmt.Sprintf(`sleep 1; (echo %d; cat "$PIPE_IN_A" "$PIPE_IN_B") | sort -n | sha256sum > "$PIPE_OUT_OUT"`, n)
	}
	for i := range 8 {
		stage(fmt.Sprintf("join%d", i), join(), map[string]string{"a": fmt.Sprintf("src%d.out", i%6), "b": fmt.Sprintf("src%d.out", (i+1)%6)})
	}
	for i := range 4 {
		stage(fmt.Sprintf("pair%d", i), join(), map[string]string{"a": fmt.Sprintf("join%d.out", 2*i), "b": fmt.Sprintf("join%d.out", 2*i+1)})
	}
	stage("summary", join(), map[string]string{"a": "pair0.out", "b": "pair1.out"})
	stage("final", join(), map[string]string{"a": "summary.out", "b": "pair3.out"})
	return b.String()
}

// storeOutputs returns "stage.output=digest" for every record in a store.
func storeOutputs(t *testing.T, store string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(store, "records", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Stage   string            `json:"stage"`
			Outputs map[string]string `json:"outputs"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		for o, d := range r.Outputs {
			out[r.Stage+"."+o] = d
		}
	}
	return out
}

// startWorker starts `pipe worker` over store; the test kills it at the end.
func startWorker(t *testing.T, addr, store string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(pipeBin, "worker", "--store", store, "--slots", "2", "--cache", t.TempDir(), "--temporal", addr)
	cmd.Env = cleanEnv()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("worker %d stderr:\n%s", cmd.Process.Pid, errb.String())
		}
	})
	return cmd
}

// TestE2ETemporalSurvivesKilledWorker runs the DAG on two worker
// processes, kills one with SIGKILL while stages run, and checks that the
// run completes with every output digest equal to a local run's.
func TestE2ETemporalSurvivesKilledWorker(t *testing.T) {
	addr := temporaltest.Address(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipelines.yaml"), []byte(dagFile()), 0o644); err != nil {
		t.Fatal(err)
	}
	localStore, shared := filepath.Join(t.TempDir(), "local"), filepath.Join(t.TempDir(), "shared")
	mustPipe(t, dir, "run", "--store", localStore, "--jobs", "4")
	want := storeOutputs(t, localStore)
	if len(want) != 20 {
		t.Fatalf("local run stored %d outputs, want 20", len(want))
	}

	victim := startWorker(t, addr, shared)
	startWorker(t, addr, shared)
	done := make(chan result, 1)
	go func() {
		done <- pipeIn(t, dir, "run", "--store", shared, "--jobs", "4", "--executor", "temporal", "--temporal", addr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for len(storeOutputs(t, shared)) < 4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("distributed run did not finish within 3 minutes of the kill")
	}
	if r.code != 0 {
		t.Fatalf("distributed run exited %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	got := storeOutputs(t, shared)
	for k, d := range want {
		if got[k] != d {
			t.Errorf("%s: distributed %s, local %s", k, got[k], d)
		}
	}
	if len(got) != len(want) {
		t.Errorf("distributed run stored %d outputs, want %d", len(got), len(want))
	}
}
