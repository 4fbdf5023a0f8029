package pipeline

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// rawStage is one entry of stages: as written, possibly a template.
type rawStage struct {
	name    string
	line    int
	body    map[string]any // kind, run, params, inputs, outputs, deps
	lines   map[string]int // "kind", "params.lr", ... -> line
	matrix  []axis
	exclude []map[string]any
	exLine  int
}

// axis is one variable of a template's matrix.
type axis struct {
	name   string
	line   int
	values any // a list, or the string "${var}" naming a list in vars
}

var stageKeys = map[string]bool{"kind": true, "run": true, "params": true, "inputs": true, "outputs": true,
	"deps": true, "matrix": true, "foreach": true, "exclude": true, "resources": true}

const stageKeyList = "deps, exclude, foreach, inputs, kind, matrix, outputs, params, resources, run"

var (
	varNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	portNameRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	wholeVarRE  = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
)

func readStage(p *problems, name string, line int, n *yaml.Node) *rawStage {
	rs := &rawStage{name: name, line: line, body: map[string]any{}, lines: map[string]int{}}
	err := eachPair(n, func(key string, kl int, v *yaml.Node) error {
		if !stageKeys[key] {
			p.add(kl, name, "unknown key %q%s (known: %s)", key, Suggest(key, keysOf(stageKeys)), stageKeyList)
			return nil
		}
		rs.lines[key] = kl
		switch key {
		case "matrix", "foreach":
			if rs.matrix != nil {
				p.add(kl, name, "give either matrix: or foreach:, not both")
			}
			rs.matrix = readAxes(p, name, v)
			return nil
		case "exclude":
			rs.exLine = kl
			return readExclude(rs, v)
		case "params", "inputs":
			if v.Kind == yaml.MappingNode {
				_ = eachPair(v, func(k string, l int, _ *yaml.Node) error {
					rs.lines[key+"."+k] = l
					return nil
				})
			}
		}
		val, err := nodeValue(v)
		rs.body[key] = val
		return err
	})
	if err != nil {
		p.add(line, name, "%v", err)
		return nil
	}
	return rs
}

func readAxes(p *problems, stage string, n *yaml.Node) []axis {
	axes := []axis{}
	err := eachPair(n, func(k string, line int, v *yaml.Node) error {
		if !varNameRE.MatchString(k) {
			p.add(line, stage, "matrix variable %q is not a valid name (letters, digits, _)", k)
		}
		val, err := nodeValue(v)
		axes = append(axes, axis{name: k, line: line, values: val})
		return err
	})
	if err != nil {
		p.add(n.Line, stage, "matrix: %v", err)
	}
	return axes
}

func readExclude(rs *rawStage, n *yaml.Node) error {
	val, err := nodeValue(n)
	if err != nil {
		return err
	}
	list, ok := val.([]any)
	if !ok {
		return fmt.Errorf("line %d: exclude: expected a list of partial assignments such as {task: power, seed: 2}", n.Line)
	}
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return fmt.Errorf("line %d: exclude item %d: expected a mapping of matrix variables to values", n.Line, i+1)
		}
		rs.exclude = append(rs.exclude, m)
	}
	return nil
}

// maxExpansion bounds the stages one template may expand to.
const maxExpansion = 10000

// assignments returns every combination of the template's matrix, in the
// order of the axes, minus the excluded ones.
func (rs *rawStage) assignments(p *problems, vars map[string]any) []map[string]any {
	out := []map[string]any{{}}
	for _, ax := range rs.matrix {
		values, ok := axisValues(p, rs, ax, vars)
		if !ok {
			return nil
		}
		if len(out)*len(values) > maxExpansion {
			p.add(ax.line, rs.name, "matrix expands to more than %d stages", maxExpansion)
			return nil
		}
		var next []map[string]any
		for _, a := range out {
			for _, v := range values {
				b := make(map[string]any, len(a)+1)
				for k, x := range a {
					b[k] = x
				}
				b[ax.name] = v
				next = append(next, b)
			}
		}
		out = next
	}
	axes := map[string]bool{}
	for _, ax := range rs.matrix {
		axes[ax.name] = true
	}
	for _, ex := range rs.exclude {
		for k := range ex {
			if !axes[k] {
				p.add(rs.exLine, rs.name, "exclude names %q, which is not a matrix variable", k)
				return nil
			}
		}
	}
	kept := out[:0]
	for _, a := range out {
		if !excluded(a, rs.exclude) {
			kept = append(kept, a)
		}
	}
	return kept
}

func axisValues(p *problems, rs *rawStage, ax axis, vars map[string]any) ([]any, bool) {
	v := ax.values
	if s, ok := v.(string); ok {
		m := wholeVarRE.FindStringSubmatch(s)
		if m == nil {
			p.add(ax.line, rs.name, "matrix variable %q: expected a list or a ${var} naming a list in vars", ax.name)
			return nil, false
		}
		val, ok := vars[m[1]]
		if !ok {
			p.add(ax.line, rs.name, "matrix variable %q: undefined variable ${%s}", ax.name, m[1])
			return nil, false
		}
		v = val
	}
	list, ok := v.([]any)
	if !ok {
		p.add(ax.line, rs.name, "matrix variable %q: expected a list of values", ax.name)
		return nil, false
	}
	return list, true
}

func excluded(a map[string]any, exclude []map[string]any) bool {
	for _, ex := range exclude {
		match := true
		for k, v := range ex {
			if textOf(a[k]) != textOf(v) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// textOf renders a scalar the way substitution inserts it into text.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// subst replaces ${var} in every string of v. A string that is exactly
// "${var}" becomes the variable's value with its YAML type (so seed: ${seed}
// stays an int). "$${" escapes a literal "${". With strict false (shell
// commands), an undefined ${NAME} is left for the shell.
func subst(v any, env map[string]any, strict bool) (any, error) {
	switch x := v.(type) {
	case string:
		if m := wholeVarRE.FindStringSubmatch(x); m != nil && strict {
			val, ok := env[m[1]]
			if !ok {
				return nil, fmt.Errorf("undefined variable ${%s}", m[1])
			}
			return deepCopy(val), nil
		}
		return substString(x, env, strict)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, err := subst(e, env, strict)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			s, err := subst(e, env, strict)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	}
	return v, nil
}

func substString(s string, env map[string]any, strict bool) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", s)
		}
		name := s[i+2 : i+j]
		val, ok := env[name]
		switch {
		case !ok && strict:
			return "", fmt.Errorf("undefined variable ${%s}", name)
		case !ok:
			b.WriteString(s[:i+j+1])
		default:
			switch val.(type) {
			case []any, map[string]any, nil:
				return "", fmt.Errorf("variable ${%s} is a list, mapping or null and cannot be inserted into text", name)
			}
			b.WriteString(s[:i] + textOf(val))
		}
		s = s[i+j+1:]
	}
}

// deepCopy copies lists and maps so that expanded stages never share values.
func deepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	}
	return v
}
