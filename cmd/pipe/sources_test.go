package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pipe "github.com/diffusion-dfl/pipe"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
)

// TestSourcesEmbedEveryPackage fails when a package directory of the module
// is missing from the embed patterns of sources.go, which would make the
// fingerprint of a kind reaching it fail at run time.
func TestSourcesEmbedEveryPackage(t *testing.T) {
	root := filepath.Join("..", "..")
	embedded := pipe.Sources()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "data") {
			return filepath.SkipDir
		}
		if d.IsDir() && p != root {
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module (examples/*) embeds its own
			}
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if _, err := fs.Stat(embedded, filepath.ToSlash(rel)); err != nil {
			t.Errorf("%s is not embedded by sources.go (add its directory's pattern): %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegisteredKindsFingerprint computes the fingerprint of every kind this
// program registers from the embedded sources, as `pipe run` does.
func TestRegisteredKindsFingerprint(t *testing.T) {
	reg := pipeline.NewRegistry()
	if err := program().Register(reg); err != nil {
		t.Fatal(err)
	}
	fp, err := fingerprint.New(fingerprint.Config{Sources: pipe.Sources()})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range reg.Kinds() {
		if _, err := fp.Fingerprint(k); err != nil {
			t.Errorf("kind %s: %v", k.Name, err)
		}
	}
	// Whatever kinds exist, the embedded module must be complete enough to
	// follow code across packages.
	a, err := fp.Func("github.com/diffusion-dfl/pipe/pipeline/local.ParamText")
	if err != nil || len(a) != 64 {
		t.Fatalf("fingerprint of a real function: %q, %v", a, err)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "go.mod")); err != nil {
		t.Fatal(err)
	}
}
