package pipeline

import "testing"

func TestSuggest(t *testing.T) {
	cands := []string{"kind", "run", "inputs", "outputs", "paper-tables"}
	for _, tc := range []struct{ name, want string }{
		{"kynd", ` (did you mean "kind"?)`},
		{"inptus", ` (did you mean "inputs"?)`},
		{"paper-table", ` (did you mean "paper-tables"?)`},
		{"zzzzzz", ""},
		{"kind", ""},
	} {
		if got := Suggest(tc.name, cands); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
