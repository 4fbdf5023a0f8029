package pipeline

import (
	"fmt"
	"sort"
	"strings"
)

// expandAll turns every raw stage into one concrete stage per matrix
// assignment, substituting ${var} everywhere, and reports duplicate names.
func expandAll(p *problems, raws []*rawStage, vars map[string]any) []*Stage {
	var out []*Stage
	seen := map[string]int{}
	for _, rs := range raws {
		for _, a := range rs.assignments(p, vars) {
			s := expandOne(p, rs, vars, a)
			if s == nil {
				continue
			}
			if first, dup := seen[s.Name]; dup {
				p.add(rs.line, s.Name, "duplicate stage name (first defined at line %d)", first)
				continue
			}
			seen[s.Name] = rs.line
			out = append(out, s)
		}
	}
	return out
}

func expandOne(p *problems, rs *rawStage, vars, assign map[string]any) *Stage {
	env := vars
	if len(assign) > 0 {
		env = make(map[string]any, len(vars)+len(assign))
		for k, v := range vars {
			env[k] = v
		}
		for k, v := range assign {
			env[k] = v
		}
	}
	for _, ax := range rs.matrix {
		if !strings.Contains(rs.name, "${"+ax.name+"}") {
			p.add(ax.line, rs.name, "matrix variable %q is not used in the stage name, so the expanded stages would share one name", ax.name)
			return nil
		}
	}
	name, err := substString(rs.name, env, true)
	if err != nil {
		p.add(rs.line, rs.name, "stage name: %v", err)
		return nil
	}
	if !stageNameRE.MatchString(name) {
		p.add(rs.line, name, "invalid stage name (use letters, digits and _ . -; start with a letter, digit or _)")
		return nil
	}
	s := &Stage{Name: name, Line: rs.line, lines: rs.lines, Params: Params{}}
	if strings.Contains(rs.name, "${") {
		s.Template, s.Matrix = rs.name, assign
	}
	for _, key := range keysOf(rs.body) {
		v, where, err := substKey(key, rs.body[key], env)
		if err != nil {
			p.add(s.line(where), name, "%s: %v", where, err)
			return nil
		}
		if err := s.set(key, v); err != nil {
			p.add(s.line(key), name, "%s: %v", key, err)
		}
	}
	switch {
	case s.Kind == "" && s.Run == "":
		p.add(s.Line, name, "give either kind: (a built-in stage) or run: (a shell command)")
	case s.Kind != "" && s.Run != "":
		p.add(s.line("run"), name, "give either kind: or run:, not both")
	}
	return s
}

// substKey substitutes one stage key's value; for params and inputs it goes
// key by key so that an error names the line of the offending entry.
func substKey(key string, val any, env map[string]any) (any, string, error) {
	m, ok := val.(map[string]any)
	if !ok || (key != "params" && key != "inputs") {
		v, err := subst(val, env, key != "run")
		return v, key, err
	}
	out := make(map[string]any, len(m))
	for _, k := range keysOf(m) {
		v, err := subst(m[k], env, true)
		if err != nil {
			return nil, key + "." + k, err
		}
		out[k] = v
	}
	return out, key, nil
}

// set stores one substituted stage key, checking its shape.
func (s *Stage) set(key string, v any) error {
	var err error
	switch key {
	case "kind":
		s.Kind, err = asString(v)
	case "run":
		s.Run, err = asString(v)
	case "params":
		if v == nil {
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("expected a mapping of parameter names to values")
		}
		s.Params = Params(m)
	case "inputs":
		err = s.setInputs(v)
	case "outputs":
		s.Outputs, err = asStrings(v)
		if err == nil {
			err = checkPorts(s.Outputs)
			sort.Strings(s.Outputs)
		}
	case "deps":
		s.Deps, err = asStrings(v)
	case "resources":
		s.Class, err = resourceClass(v)
	}
	return err
}

// resourceClass reads `resources: {class: name}`.
func resourceClass(v any) (string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("expected a mapping such as {class: gpu}")
	}
	for k := range m {
		if k != "class" {
			return "", fmt.Errorf("unknown key %q (known: class)", k)
		}
	}
	c, err := asString(m["class"])
	if err == nil && !portNameRE.MatchString(c) {
		err = fmt.Errorf("class %q: use a letter then letters, digits or _", c)
	}
	return c, err
}

// setInputs keeps the references as written; resolveInputs checks them.
func (s *Stage) setInputs(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("expected a mapping of local names to stage.output references")
	}
	names := keysOf(m)
	for _, name := range names {
		if !portNameRE.MatchString(name) {
			return fmt.Errorf("input name %q: use a letter then letters, digits or _", name)
		}
		in := &Input{Name: name, Line: s.line("inputs." + name)}
		switch x := m[name].(type) {
		case string:
			in.Refs = []Ref{{Stage: x}} // resolved later
			in.Many = strings.ContainsAny(x, "*?[")
		case []any:
			list, err := asStrings(x)
			if err != nil {
				return fmt.Errorf("input %q: %v", name, err)
			}
			for _, r := range list {
				in.Refs = append(in.Refs, Ref{Stage: r})
			}
			in.Many = true
		default:
			return fmt.Errorf("input %q: expected \"stage.output\", a glob such as \"eval-*.metrics\", or a list of references", name)
		}
		s.Inputs = append(s.Inputs, in)
	}
	return nil
}

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

func asString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("expected a string, found %s", typeName(v))
	}
	return s, nil
}

func asStrings(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list of strings, found %s", typeName(v))
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("item %d: expected a string, found %s", i+1, typeName(e))
		}
		out[i] = s
	}
	return out, nil
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
		return fmt.Sprintf("number %s", textOf(x))
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func joinSorted(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
