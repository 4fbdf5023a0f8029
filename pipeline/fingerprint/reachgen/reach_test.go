package reachgen

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestReachFollowsTypes checks the analysis on the real module: a kind
// reaches its Run function, the types it names, and no method merely
// sharing a name with a called one.
func TestReachFollowsTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and analyses the whole module")
	}
	p, err := load(filepath.Join("..", "..", ".."))
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
