package artifacts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// RunRecord is what a successful stage run produced, with its provenance.
// Records are written only after every output object is stored, so a
// record never points at a missing object unless the object was removed later.
type RunRecord struct {
	Key         Key               `json:"key"`
	Stage       string            `json:"stage"`
	Kind        string            `json:"kind"`            // built-in kind name, or "shell"
	Fingerprint string            `json:"fingerprint"`     // implementation fingerprint or hash of the run command
	Params      json.RawMessage   `json:"params"`          // canonical JSON of the params after the profile overlay
	Inputs      map[string]Digest `json:"inputs"`          // local input name -> digest
	Files       map[string]Digest `json:"files,omitempty"` // external file dependencies -> digest
	Outputs     map[string]Digest `json:"outputs"`         // output name -> digest
	Log         Digest            `json:"log,omitempty"`   // the run's combined stdout/stderr or stage log
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	DurationSec float64           `json:"duration_sec"`
	PeakRSS     int64             `json:"peak_rss_bytes,omitempty"` // 0 when unknown
	Host        string            `json:"host"`
	GoVersion   string            `json:"go_version"`
	Version     string            `json:"version"` // the program's version
	Profile     string            `json:"profile,omitempty"`
	// Backend names the numeric backend of the run (BLAS, its threads, the
	// model/nn kernels); outside the key (see pipeline.Config.Backend).
	Backend string `json:"backend,omitempty"`
}

// encodeRecord is the stored form of a record: compact JSON without HTML
// escaping, so Params (already canonical JSON) come back byte for byte.
// json.MarshalIndent would re-indent Params, and the default HTML escaping
// would rewrite "&", "<" and ">" inside them.
func encodeRecord(r *RunRecord) ([]byte, error) {
	if r == nil {
		panic("artifacts: nil *RunRecord")
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
func decodeRecord(b []byte, key Key, where string) (*RunRecord, error) {
	var r RunRecord
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
