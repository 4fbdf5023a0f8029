package suggest

import "testing"

func TestFor(t *testing.T) {
	cands := []string{"kind", "run", "inputs", "outputs", "paper-tables"}
	for _, tc := range []struct{ name, want string }{
		{"kynd", ` (did you mean "kind"?)`},
		{"inptus", ` (did you mean "inputs"?)`},
		{"paper-table", ` (did you mean "paper-tables"?)`},
		{"zzzzzz", ""},
		{"kind", ""},
	} {
		if got := For(tc.name, cands); got != tc.want {
			t.Errorf("For(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
