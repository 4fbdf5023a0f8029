package fingerprint_test

import (
	"strings"
	"testing"
)

// TestReachListStaleReasonStable makes two listed functions of different
// packages call helpers the list lacks: the warning must name the same one
// on every run (the listed declarations are checked in a fixed order).
func TestReachListStaleReasonStable(t *testing.T) {
	m := replaced(t, baseFS(), "stages/stages.go", "func helper() int { return lib.X }", "func helper() int { return lib.X + unrelated() }")
	m = replaced(t, m, "model/model.go", "return x + bias()", "return x + bias() + Unused()")
	var first string
	for i := 0; i < 20; i++ {
		_, warn := fpReach(t, m, []byte(baseReach))
		if len(warn) != 1 {
			t.Fatalf("warnings %q, want one", warn)
		}
		if i == 0 {
			first = warn[0]
			if !strings.Contains(first, "example.com/m/model") || !strings.Contains(first, "Unused") {
				t.Fatalf("warning %q, want the first stale declaration in package order (model's Forward using Unused)", first)
			}
		} else if warn[0] != first {
			t.Fatalf("run %d warned %q, run 0 %q", i, warn[0], first)
		}
	}
}
