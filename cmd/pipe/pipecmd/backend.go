package pipecmd

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// describeBackend is Backend.Describe for pipeline.Config.Backend, or nil
// when the program has no backend (run records then name none).
func (p *Program) describeBackend() func() string {
	if p.Backend == nil {
		return nil
	}
	return p.Backend.Describe
}

// backendName names the backend in use, "" when the program has none.
func (p *Program) backendName() string {
	if p.Backend == nil {
		return ""
	}
	return p.Backend.Describe()
}

// runBackend is the backend a `pipe run` in this environment would use, for
// `pipe status`, which does not otherwise select one; ok is false when it
// cannot be told (no backend, or a setting a run would refuse).
func (p *Program) runBackend() (string, bool) {
	if p.Backend == nil {
		return "", false
	}
	if err := p.Backend.Use(io.Discard, false); err != nil {
		return "", false
	}
	return p.Backend.Describe(), true
}

// backendWarning returns the one line warning that cached results in use
// were produced on another numeric backend than now, or "" when none were.
// recorded holds the backend recorded by each cached stage ("" for shell
// stages and records older than the field, which are skipped). The key
// leaves the backend out on purpose (see pipeline.Config.Backend): the
// backends agree to rounding, so the results are reused, but their last
// bits are another machine's.
func backendWarning(now string, recorded []string) string {
	other := map[string]int{}
	n := 0
	for _, b := range recorded {
		if b != "" && b != now {
			other[b]++
			n++
		}
	}
	if n == 0 {
		return ""
	}
	names := make([]string, 0, len(other))
	for b := range other {
		names = append(names, b)
	}
	sort.Slice(names, func(i, j int) bool {
		return other[names[i]] > other[names[j]] || (other[names[i]] == other[names[j]] && names[i] < names[j])
	})
	var parts []string
	for i, b := range names {
		if i == 2 {
			parts = append(parts, fmt.Sprintf("%d more backends", len(names)-2))
			break
		}
		parts = append(parts, fmt.Sprintf("%d on %s", other[b], b))
	}
	return fmt.Sprintf("warning: %d cached results in use were produced on another numeric backend than this one (%s): %s; they agree to rounding only (`pipe run --force` recomputes them here)",
		n, now, strings.Join(parts, ", "))
}
