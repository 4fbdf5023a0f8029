package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
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
	got, err := Generate(root, roots)
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

// TestReachFollowsTypes checks the analysis on the real module: a kind
// reaches its Run function, the types it names, and no method merely
// sharing a name with a called one.
func TestReachFollowsTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and analyses the whole module")
	}
	p, err := load(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.reach("github.com/diffusion-dfl/pipe/stages.runDataSynthetic")
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, u := range r.Units {
		has[u] = true
	}
	if !has["github.com/diffusion-dfl/pipe/stages f:runDataSynthetic"] {
		t.Errorf("root missing from %d units", len(r.Units))
	}
	for u := range has {
		if bytes.Contains([]byte(u), []byte("model/nn ")) {
			t.Errorf("data generation reaches the network code: %s", u)
		}
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
