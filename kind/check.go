package kind

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/diffusion-dfl/pipe/internal/suggest"
)

var typeNames = map[ParamType]string{String: "string", Int: "int", Float: "float", Bool: "bool",
	Ints: "list of ints", Floats: "list of floats", Strings: "list of strings", Map: "mapping", Any: "any"}

func (t ParamType) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("ParamType(%d)", int(t))
}

// CheckParams validates p against the kind's ParamSpecs and returns a new
// Params with every default filled in and numbers normalized (an int given
// for a float becomes a float, so `lr: 1` and `lr: 1.0` share a key). The
// error names each offending parameter; the map of problems is keyed by
// parameter name so that callers can point at the line that set it.
func (k *Kind) CheckParams(p Params) (Params, map[string]string) {
	out := Params{}
	problems := map[string]string{}
	specs := map[string]*ParamSpec{}
	for i := range k.Params {
		specs[k.Params[i].Name] = &k.Params[i]
	}
	for _, name := range keysOf(p) {
		spec, ok := specs[name]
		if !ok {
			problems[name] = fmt.Sprintf("unknown param %q for kind %q%s (known: %s)", name, k.Name, suggest.For(name, keysOf(specs)), joinSorted(keysOf(specs)))
			continue
		}
		v, err := spec.check(p[name])
		if err != nil {
			problems[name] = fmt.Sprintf("param %q: %v", name, err)
			continue
		}
		out[name] = v
	}
	for _, spec := range k.Params {
		if _, set := p[spec.Name]; set {
			continue
		}
		if spec.Default == nil {
			problems[spec.Name] = fmt.Sprintf("param %q (%s) is required by kind %q", spec.Name, spec.Type, k.Name)
			continue
		}
		out[spec.Name] = normalizeGo(spec.Default)
	}
	if len(problems) == 0 && k.Memory != nil { // sysinfo(2) only when needed: Load checks every stage
		k.checkMemory(out, problems, physicalMemory())
	}
	return out, problems
}

// check converts one YAML value to the spec's type or explains why it cannot.
func (s *ParamSpec) check(v any) (any, error) {
	bad := func() (any, error) {
		return nil, fmt.Errorf("expected %s, found %s", s.Type, typeName(v))
	}
	switch s.Type {
	case String:
		str, ok := v.(string)
		if !ok {
			return bad()
		}
		return str, s.checkEnum(str)
	case Int:
		i, ok := v.(int)
		if !ok {
			return bad()
		}
		return v, s.checkRange(float64(i))
	case Float:
		f, ok := toFloat(v)
		if !ok {
			return bad()
		}
		return f, s.checkRange(f)
	case Bool:
		if _, ok := v.(bool); !ok {
			return bad()
		}
		return v, nil
	case Ints, Floats, Strings:
		return s.checkList(v)
	case Map:
		if _, ok := v.(map[string]any); !ok {
			return bad()
		}
		return v, nil
	}
	return v, nil
}

func (s *ParamSpec) checkList(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected %s, found %s", s.Type, typeName(v))
	}
	out := make([]any, len(list))
	for i, e := range list {
		var ok bool
		switch s.Type {
		case Ints:
			_, ok = e.(int)
			out[i] = e
		case Floats:
			out[i], ok = toFloat(e)
		case Strings:
			var str string
			str, ok = e.(string)
			if ok {
				if err := s.checkEnum(str); err != nil {
					return nil, fmt.Errorf("item %d: %v", i+1, err)
				}
			}
			out[i] = e
		}
		if !ok {
			return nil, fmt.Errorf("item %d: expected %s, found %s", i+1, strings.TrimPrefix(s.Type.String(), "list of "), typeName(e))
		}
		if x, num := toFloat(out[i]); num && s.Type != Strings {
			if err := s.checkRange(x); err != nil {
				return nil, fmt.Errorf("item %d: %v", i+1, err)
			}
		}
	}
	return out, nil
}

func (s *ParamSpec) checkEnum(v string) error {
	if len(s.Enum) == 0 {
		return nil
	}
	for _, e := range s.Enum {
		if e == v {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(s.Enum, ", "))
}

// normalizeGo converts a Go value (a ParamSpec default) to the YAML value
// types: int, float64, string, bool, []any, map[string]any.
func normalizeGo(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalizeGo(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range rv.MapKeys() {
			out[fmt.Sprint(k.Interface())] = normalizeGo(rv.MapIndex(k).Interface())
		}
		return out
	}
	return v
}

// validateKind checks a kind's declaration when it is registered, so that a
// mistake in a stage package is found by its tests, not by a user.
func validateKind(k *Kind) error {
	seen := map[string]bool{}
	for _, ps := range k.Params {
		if ps.Name == "" || seen[ps.Name] {
			return fmt.Errorf("param %q is empty or declared twice", ps.Name)
		}
		seen[ps.Name] = true
		if ps.Default != nil {
			if _, err := ps.check(normalizeGo(ps.Default)); err != nil {
				return fmt.Errorf("param %q: default %v: %v", ps.Name, ps.Default, err)
			}
		}
	}
	for _, ports := range [][]PortSpec{k.Inputs, k.Outputs} {
		names := make([]string, len(ports))
		for i, port := range ports {
			names[i] = port.Name
		}
		sort.Strings(names)
		if err := checkPorts(names); err != nil {
			return err
		}
	}
	return nil
}
