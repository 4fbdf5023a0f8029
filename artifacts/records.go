package artifacts

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// encodeRecord is the stored form of a record: compact JSON without HTML
// escaping, so Params (already canonical JSON) come back byte for byte.
// json.MarshalIndent would re-indent Params, and the default HTML escaping
// would rewrite "&", "<" and ">" inside them.
func encodeRecord(r *Record) ([]byte, error) {
	if r == nil {
		panic("artifacts: nil *Record")
	}
	if err := checkKey(r.Key); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.Key, err)
	}
	return buf.Bytes(), nil
}

// decodeRecord parses a stored record and checks that it is the record for
// key; where names its file for the error message.
func decodeRecord(b []byte, key Key, where string) (*Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: record %s: malformed JSON: %v", ErrCorrupt, where, err)
	}
	if r.Key != key {
		return nil, fmt.Errorf("%w: record %s holds key %q", ErrCorrupt, where, r.Key)
	}
	if string(r.Params) == "null" {
		r.Params = nil // nil Params are stored as null; give back what was put
	}
	return &r, nil
}
