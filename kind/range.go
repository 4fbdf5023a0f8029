package kind

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is the set of valid values of a numeric param (of each item of a
// numeric list param): Min ≤ x ≤ Max (Min < x when MinOpen, x < Max when
// MaxOpen), plus the sentinel values in Also (such as −1 for "the task's
// default"). Values outside it are refused when pipelines.yaml is loaded,
// before anything runs, with the stage, the param and its line.
type Range struct {
	Min, Max float64 // inclusive bounds; ±Inf when unbounded
	MinOpen  bool    // Min itself is excluded
	MaxOpen  bool    // Max itself is excluded
	Also     []float64
}

// AtLeast is the range x ≥ min.
func AtLeast(min float64) *Range { return &Range{Min: min, Max: math.Inf(1)} }

// Between is the range min ≤ x ≤ max.
func Between(min, max float64) *Range { return &Range{Min: min, Max: max} }

// Positive is the range x > 0.
func Positive() *Range { return &Range{Min: 0, Max: math.Inf(1), MinOpen: true} }

// Inside is the open range min < x < max.
func Inside(min, max float64) *Range { return &Range{Min: min, Max: max, MinOpen: true, MaxOpen: true} }

// Or returns a copy of r that also accepts the sentinel values v.
func (r *Range) Or(v ...float64) *Range {
	c := *r
	c.Also = append(append([]float64(nil), r.Also...), v...)
	return &c
}

// Upto returns a copy of r bounded above by max.
func (r *Range) Upto(max float64) *Range {
	c := *r
	c.Max = max
	return &c
}

// Contains reports whether x is a valid value.
func (r *Range) Contains(x float64) bool {
	for _, a := range r.Also {
		if x == a {
			return true
		}
	}
	if math.IsNaN(x) || x > r.Max || r.MaxOpen && x == r.Max {
		return false
	}
	if r.MinOpen {
		return x > r.Min
	}
	return x >= r.Min
}

// String writes the range as `pipe stages` shows it: "≥ 1", "> 0",
// "in [0, 1]", "≥ 0 or −1".
func (r *Range) String() string {
	lo := "≥ "
	if r.MinOpen {
		lo = "> "
	}
	var s string
	switch {
	case math.IsInf(r.Min, -1) && math.IsInf(r.Max, 1):
		s = "any number"
	case math.IsInf(r.Max, 1):
		s = lo + num(r.Min)
	case math.IsInf(r.Min, -1) && r.MaxOpen:
		s = "< " + num(r.Max)
	case math.IsInf(r.Min, -1):
		s = "≤ " + num(r.Max)
	default:
		open := "["
		if r.MinOpen {
			open = "("
		}
		shut := "]"
		if r.MaxOpen {
			shut = ")"
		}
		s = "in " + open + num(r.Min) + ", " + num(r.Max) + shut
	}
	for _, a := range r.Also {
		s += " or " + num(a)
	}
	return s
}

// num writes a bound or value: whole numbers in full, others shortest.
func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strings.Replace(strconv.FormatFloat(x, 'g', -1, 64), "e+", "e", 1)
}

// checkRange refuses a number outside the spec's range.
func (s *ParamSpec) checkRange(x float64) error {
	if s.Range == nil || s.Range.Contains(x) {
		return nil
	}
	return fmt.Errorf("%s is out of range: want %s", num(x), s.Range)
}

// isNumeric reports whether a param type holds numbers (and needs a Range).
func (t ParamType) isNumeric() bool { return t == Int || t == Float || t == Ints || t == Floats }

// MissingRanges lists the numeric params of k that declare no Range, for
// the tests of packages that register kinds.
func (k *Kind) MissingRanges() []string {
	var out []string
	for _, p := range k.Params {
		if p.Type.isNumeric() && p.Range == nil {
			out = append(out, p.Name)
		}
	}
	return out
}
