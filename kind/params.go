package kind

import (
	"fmt"
	"math"
)

// Params are a stage's parameters after the profile overlay and defaults,
// as decoded from YAML: string, int, float64, bool, []any, map[string]any.
// The typed getters panic on a missing or mistyped name, which validation
// against the kind's ParamSpecs rules out before a stage runs.
type Params map[string]any

func (p Params) get(name string) any {
	v, ok := p[name]
	if !ok {
		panic(fmt.Sprintf("kind: param %q not set (missing from the kind's ParamSpecs?)", name))
	}
	return v
}

// String returns a string param.
func (p Params) String(name string) string {
	s, ok := p.get(name).(string)
	if !ok {
		panic(fmt.Sprintf("kind: param %q is %T, not string", name, p[name]))
	}
	return s
}

// Int returns an integer param.
func (p Params) Int(name string) int {
	switch v := p.get(name).(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		if v == math.Trunc(v) {
			return int(v)
		}
	}
	panic(fmt.Sprintf("kind: param %q is %v (%T), not int", name, p[name], p[name]))
}

// Float returns a float param (ints are converted).
func (p Params) Float(name string) float64 {
	f, ok := toFloat(p.get(name))
	if !ok {
		panic(fmt.Sprintf("kind: param %q is %T, not float", name, p[name]))
	}
	return f
}

// Bool returns a boolean param.
func (p Params) Bool(name string) bool {
	b, ok := p.get(name).(bool)
	if !ok {
		panic(fmt.Sprintf("kind: param %q is %T, not bool", name, p[name]))
	}
	return b
}

// Floats returns a list-of-numbers param.
func (p Params) Floats(name string) []float64 {
	l, ok := p.get(name).([]any)
	if !ok {
		panic(fmt.Sprintf("kind: param %q is %T, not a list", name, p[name]))
	}
	out := make([]float64, len(l))
	for i, v := range l {
		f, ok := toFloat(v)
		if !ok {
			panic(fmt.Sprintf("kind: param %q[%d] is %T, not a number", name, i, v))
		}
		out[i] = f
	}
	return out
}

// Ints returns a list-of-integers param.
func (p Params) Ints(name string) []int {
	fs := p.Floats(name)
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != math.Trunc(f) {
			panic(fmt.Sprintf("kind: param %q[%d] = %v is not an integer", name, i, f))
		}
		out[i] = int(f)
	}
	return out
}

// Strings returns a list-of-strings param.
func (p Params) Strings(name string) []string {
	l, ok := p.get(name).([]any)
	if !ok {
		panic(fmt.Sprintf("kind: param %q is %T, not a list", name, p[name]))
	}
	out := make([]string, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			panic(fmt.Sprintf("kind: param %q[%d] is %T, not a string", name, i, v))
		}
		out[i] = s
	}
	return out
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}
