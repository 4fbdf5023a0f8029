package pipecmd

import (
	"strings"
	"testing"
)

func TestBackendWarning(t *testing.T) {
	now := "gonum (pure Go); nn kernels avx2+fma"
	cases := []struct {
		name     string
		recorded []string
		want     []string // substrings; none means no warning
	}{
		{"all current", []string{now, now}, nil},
		{"shell stages and old records", []string{"", ""}, nil},
		{"one other", []string{now, "openblas X; nn kernels go", ""}, []string{"warning: 1 cached results", "1 on openblas X; nn kernels go", now}},
		{"many others", []string{"a", "a", "b", "c", now}, []string{"4 cached results", "2 on a, 1 on b, 1 more backends"}},
	}
	for _, c := range cases {
		got := backendWarning(now, c.recorded)
		if (got == "") != (len(c.want) == 0) || strings.Count(got, "\n") > 0 {
			t.Errorf("%s: %q", c.name, got)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
	}
}
