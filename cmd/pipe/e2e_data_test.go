package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const powerYAML = `
stages:
  power: {kind: data-power, params: {max_train: 50, max_hold: 20, max_test: 20}}
`

// pipeWithEnv runs pipe in dir with extra environment variables.
func pipeWithEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(pipeBin, args...)
	cmd.Dir, cmd.Env = dir, append(cleanEnv(), env...)
	var out, errb syncBuf
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("pipe %v: %v", args, err)
	}
	return r
}

// sharedData is the project's data directory on the development machine
// (tests never download).
const sharedData = "/work/shared/data"

// dataDirForTest returns $PIPE_DATA_DIR or the shared data directory, and
// skips the test, saying where it looked, when neither holds rel.
func dataDirForTest(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("PIPE_DATA_DIR")
	if dir == "" {
		dir = sharedData
	}
	if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
		t.Skipf("data %s not found under %s (set PIPE_DATA_DIR to the data directory): %v", rel, dir, err)
	}
	return dir
}

// TestE2EFetchMissingData: `pipe run` downloads the data files its stages
// need (here from a mirror of the shared data), and offline it says, once,
// how to provide them, leaving the data directory as it was.
func TestE2EFetchMissingData(t *testing.T) {
	shared := dataDirForTest(t, "pjm")
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", powerYAML)
	data := filepath.Join(dir, "data")
	r := pipeWithEnv(t, dir, []string{"PIPE_DATA_DIR=" + data, "PIPE_DATA_MIRROR=http://127.0.0.1:1"}, "run")
	if r.code != 1 || !strings.Contains(r.stderr, "pipe fetch-data") || !strings.Contains(r.stderr, "PIPE_DATA_DIR") {
		t.Fatalf("offline run (exit %d):\n%s", r.code, r.stderr)
	}
	if ents, _ := os.ReadDir(data); len(ents) != 0 {
		t.Errorf("the failed download left %v in the data directory", ents)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(shared)))
	defer srv.Close()
	r = pipeWithEnv(t, dir, []string{"PIPE_DATA_DIR=" + data, "PIPE_DATA_MIRROR=" + srv.URL}, "run")
	if r.code != 0 || !strings.Contains(r.stderr, "2 public data files are missing") || !strings.Contains(r.stderr, "2 files downloaded") ||
		!strings.Contains(r.stderr, "ran stage power") {
		t.Fatalf("run with a mirror (exit %d):\n%s", r.code, r.stderr)
	}
	r = pipeWithEnv(t, dir, []string{"PIPE_DATA_DIR=" + data, "PIPE_DATA_MIRROR=http://127.0.0.1:1"}, "run")
	if r.code != 0 || strings.Contains(r.stderr, "missing") {
		t.Errorf("second run fetched again:\n%s", r.stderr)
	}
}
