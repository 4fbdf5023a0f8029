package pipeline

import (
	"strings"
	"testing"
)

// TestHexRuns checks which parts of another project's reference gc keeps:
// exactly the 64-hex-digit runs, wherever they sit in the value.
func TestHexRuns(t *testing.T) {
	k1, k2 := strings.Repeat("a", 64), strings.Repeat("0f", 32)
	cases := map[string][]string{
		`["` + k1 + `","` + k2 + `"]`:            {k1, k2},
		k1:                                       {k1},
		`{"log":"` + k2 + `","error":"x"}`:       {k2},
		strings.Repeat("a", 63) + " " + k1 + "b": nil, // 63 digits; 65 digits
		"prefix-" + k1 + "-" + strings.ToUpper(k2) + "-": {k1},
		"": nil,
	}
	for in, want := range cases {
		got := hexRuns([]byte(in))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("hexRuns(%.40q…) = %v, want %v", in, got, want)
		}
	}
}
