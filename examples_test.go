package pipe_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleModuleFingerprints builds examples/letters, a module of its
// own with its own kinds and command (pipecmd), in a temporary copy; runs
// its two-stage pipeline; then edits the count kind's code, rebuilds, and
// checks that count reruns while words stays cached: fingerprints work for
// a module that is not pipe's.
func TestExampleModuleFingerprints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; this test builds the example module")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyTree(t, filepath.Join(root, "examples", "letters"), dir)
	goIn(t, goBin, dir, "mod", "edit", "-replace", "github.com/diffusion-dfl/pipe="+root)
	bin := filepath.Join(dir, "letters-bin")
	build := func() { goIn(t, goBin, dir, "build", "-o", bin, "./cmd/letters") }
	store := filepath.Join(t.TempDir(), "store")
	run := func() map[string]string {
		cmd := exec.Command(bin, "run", "--json", "--store", store)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("letters run: %v\n%s", err, out)
		}
		var rep struct {
			Stages []struct{ Name, Status string }
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("letters run --json: %v\n%s", err, out)
		}
		got := map[string]string{}
		for _, s := range rep.Stages {
			got[s.Name] = s.Status
		}
		return got
	}
	build()
	if got := run(); got["words"] != "ran" || got["count"] != "ran" {
		t.Fatalf("first run: %v, want both ran", got)
	}
	if got := run(); got["words"] != "cached" || got["count"] != "cached" {
		t.Fatalf("second run: %v, want both cached", got)
	}
	kinds := filepath.Join(dir, "kinds", "kinds.go")
	b, err := os.ReadFile(kinds)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "n[string(c)]++", "n[strings.ToUpper(string(c))]++", 1)
	if edited == string(b) {
		t.Fatal("kinds.go no longer has the line this test edits")
	}
	if err := os.WriteFile(kinds, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	build()
	if got := run(); got["words"] != "cached" || got["count"] != "ran" {
		t.Fatalf("after editing countLetters: %v, want words cached and count ran", got)
	}
}

// goIn runs the go command in dir and fails the test on error.
func goIn(t *testing.T, goBin, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// copyTree copies the files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == ".pipe" {
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
}
