package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline/fingerprint/reachgen"
)

// TestReachListFresh regenerates the reach list and fails when the
// committed reach.json differs: the fingerprints would then follow stale
// reachability. Fix with `go generate` at the module root.
func TestReachListFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and analyses the whole module")
	}
	root := filepath.Join("..", "..")
	roots, err := kindRoots()
	if err != nil {
		t.Fatal(err)
	}
	got, err := reachgen.Generate(root, roots)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(root, "reach.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("reach.json is stale (%s): run `go generate` at the module root", firstDiff(got, want))
	}
}

// firstDiff names the first line where the regenerated list differs.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) && i < len(w); i++ {
		if !bytes.Equal(g[i], w[i]) {
			return fmt.Sprintf("line %d: now %s, committed %s", i+1, bytes.TrimSpace(g[i]), bytes.TrimSpace(w[i]))
		}
	}
	return fmt.Sprintf("%d lines now, %d committed", len(g), len(w))
}
