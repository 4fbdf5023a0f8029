package kind

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// portNameRE is the form of an input or output name: it becomes part of an
// environment variable name for shell stages and a reference stage.output.
var portNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// checkPorts rejects a malformed or repeated port name (names sorted).
func checkPorts(names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		if !portNameRE.MatchString(n) {
			return fmt.Errorf("output name %q: use a letter then letters, digits or _", n)
		}
		if seen[n] {
			return fmt.Errorf("output %q listed twice", n)
		}
		seen[n] = true
	}
	return nil
}

// typeName names a decoded YAML value's type for error messages.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case int:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("number %s", strconv.FormatFloat(x, 'g', -1, 64))
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// keysOf returns the keys of m, sorted.
func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// joinSorted lists names for a message, "none" when there are none.
func joinSorted(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
