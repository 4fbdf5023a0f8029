package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pipeBin is the pipe binary built once for every end-to-end test.
var pipeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pipe-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pipeBin = filepath.Join(dir, "pipe")
	out, err := exec.Command("go", "build", "-o", pipeBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build pipe: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one pipe invocation did.
type result struct {
	stdout, stderr string
	code           int
}

// pipeIn runs the binary in dir with args and a clean PIPE_* environment.
func pipeIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(pipeBin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("pipe %v: %v", args, err)
	}
	return r
}

// mustPipe runs pipe and fails the test unless it exits 0.
func mustPipe(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := pipeIn(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("pipe %v exited %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIPE_") {
			env = append(env, kv)
		}
	}
	return env
}

// copyExample copies examples/wordcount to a temporary directory.
func copyExample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("..", "..", "examples", "wordcount")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == ".pipe" || rel == "results" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeFile writes a pipelines.yaml (or any file) into dir.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit replaces old by new in a file of dir, failing if old is absent.
func edit(t *testing.T, dir, name, old, new string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s lacks %q", name, old)
	}
	writeFile(t, dir, name, strings.Replace(string(b), old, new, 1))
}
