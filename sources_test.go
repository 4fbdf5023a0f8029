package pipe

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourcesEmbedEverySourceFile fails when a Go or assembly file of a
// package is missing from the embedded sources: a kind reaching it would
// fail to fingerprint (Go), or, worse, its fingerprint would ignore the
// file (assembly), so an edit would leave stale results cached.
func TestSourcesEmbedEverySourceFile(t *testing.T) {
	n := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "data" || name == "results") {
			return filepath.SkipDir
		}
		if d.IsDir() && p != "." && isModule(p) {
			return filepath.SkipDir // another module (examples/*) embeds its own
		}
		if d.IsDir() || !(strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".s")) {
			return nil
		}
		n++
		if _, err := fs.Stat(Sources(), filepath.ToSlash(p)); err != nil {
			t.Errorf("%s is not embedded by sources.go (add a pattern for its directory): %v", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked %d source files: not the module root?", n)
	}
}

// TestReachEmbedded checks the generated reach list is embedded and names
// kinds; its freshness is tested in internal/reachgen.
func TestReachEmbedded(t *testing.T) {
	b, err := os.ReadFile("reach.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(Reach()) || !strings.Contains(string(b), `"kinds"`) {
		t.Fatal("reach.json is not the embedded reach list")
	}
}

// isModule reports whether dir holds a go.mod: a module of its own.
func isModule(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}
