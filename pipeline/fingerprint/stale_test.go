package fingerprint_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
)

// baseReach is what internal/reachgen would list for stages.Run of baseFS.
const baseReach = `{"kinds": {"example.com/m/stages.Run": {
	"units": ["example.com/m/stages f:Run", "example.com/m/stages t:trainer", "example.com/m/stages m:trainer.step",
		"example.com/m/stages f:helper", "example.com/m/stages c:scale", "example.com/m/model f:Forward", "example.com/m/model f:bias"],
	"imports": ["ext.org/lib"], "selectors": ["n"]}}}`

// fpReach fingerprints stages.Run of fsys with the reach list (nil: the name
// walk) and returns the warnings.
func fpReach(t *testing.T, fsys fstest.MapFS, reach []byte) (string, []string) {
	t.Helper()
	var warnings []string
	f, err := fingerprint.New(fingerprint.Config{Sources: fsys, Deps: map[string]string{"ext.org/lib": "v1.2.0"},
		GoVersion: "go1.26", Reach: reach, Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Func("example.com/m/stages.Run")
	if err != nil {
		t.Fatalf("a stale reach list must not fail fingerprinting: %v", err)
	}
	return s, warnings
}

func replaced(t *testing.T, m fstest.MapFS, path, old, new string) fstest.MapFS {
	t.Helper()
	s := string(m[path].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	m[path] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, -1))}
	return m
}

// TestReachListCurrent: a current list is used silently, and is more
// precise than the name walk (an unreached method of a reached type).
func TestReachListCurrent(t *testing.T) {
	base, warn := fpReach(t, baseFS(), []byte(baseReach))
	if len(warn) > 0 {
		t.Fatalf("current list reported stale: %v", warn)
	}
	other, _ := fpReach(t, replaced(t, baseFS(), "stages/stages.go", "return 7", "return 8"), []byte(baseReach))
	if other != base {
		t.Error("an unreached method changed the fingerprint computed from the list")
	}
}

// TestReachListStaleMissingDeclaration: a listed declaration gone from the
// sources falls back to the name walk with one warning, and does not fail.
func TestReachListStaleMissingDeclaration(t *testing.T) {
	m := replaced(t, baseFS(), "model/model.go", "bias", "offset")
	got, warn := fpReach(t, m, []byte(baseReach))
	walk, _ := fpReach(t, m, nil)
	if got != walk {
		t.Error("stale list: fingerprint is not the name walk's")
	}
	if len(warn) != 1 || !strings.Contains(warn[0], "go generate") || !strings.Contains(warn[0], "f:bias") {
		t.Fatalf("warnings %q, want one naming f:bias and go generate", warn)
	}
}

// TestReachListStaleNewCallee: a listed function that now calls a helper
// the list does not name falls back to the name walk, so an edit of that
// helper changes the fingerprint (the list alone would serve stale results).
func TestReachListStaleNewCallee(t *testing.T) {
	for _, c := range []struct{ name, old, new, edited, editOld, editNew string }{
		{"same package", "helper()\n}", "helper() + unrelated()\n}", "stages/stages.go", "return 42", "return 43"},
		{"other package", "model.Forward(3)", "model.Forward(3) + model.Unused()", "model/model.go", "return 0", "return 5"},
		{"method", "t.step() +", "t.step() + t.other() +", "stages/stages.go", "return 7", "return 8"},
		{"map key", "helper()\n}", "helper() + map[int]int{limit: 1}[0]\n}\n\nconst limit = 3\n", "stages/stages.go", "limit = 3", "limit = 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := replaced(t, baseFS(), "stages/stages.go", c.old, c.new)
			before, warn := fpReach(t, m, []byte(baseReach))
			if len(warn) != 1 || !strings.Contains(warn[0], "go generate") {
				t.Fatalf("warnings %q, want one naming go generate", warn)
			}
			after, _ := fpReach(t, replaced(t, m, c.edited, c.editOld, c.editNew), []byte(baseReach))
			if after == before {
				t.Fatal("an edit of newly reached code changed no fingerprint")
			}
		})
	}
}
