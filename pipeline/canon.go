package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Canonical returns the canonical JSON encoding used for keys and records:
// object keys sorted, no insignificant space, strings escaped by
// encoding/json without HTML escaping, integers in decimal and floats in
// their shortest round-trip form, always with a '.' or an exponent so that
// the float 1.0 ("1.0") and the integer 1 ("1") stay distinct. It accepts
// the values decoded from YAML (nil, bool, int, float64, string, []any,
// map[string]any) plus []string and maps of strings (Params, digests).
func Canonical(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := canon(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func canon(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		return canonFloat(b, x)
	case string:
		canonString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := canon(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return canon(b, l)
	case Params:
		return canon(b, map[string]any(x))
	case map[string]any:
		return canonMap(b, x)
	default:
		return canonOther(b, v)
	}
	return nil
}

func canonFloat(b *bytes.Buffer, f float64) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("pipeline: canonical JSON: non-finite number %v", f)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !bytes.ContainsAny([]byte(s), ".eE") {
		s += ".0"
	}
	b.WriteString(s)
	return nil
}

func canonString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

func canonMap(b *bytes.Buffer, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		canonString(b, k)
		b.WriteByte(':')
		if err := canon(b, m[k]); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// canonOther handles maps with string-kinded values, such as
// map[string]artifacts.Digest, without importing their packages here.
func canonOther(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return canonMap(b, m)
	case fmt.Stringer:
		canonString(b, x.String())
		return nil
	}
	return fmt.Errorf("pipeline: canonical JSON: unsupported type %T", v)
}
