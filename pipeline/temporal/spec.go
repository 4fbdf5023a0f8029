package temporal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// StageSpec is a pipeline.Task in the form a workflow carries: plain data,
// with the built-in kind by name, params in canonical JSON (so the integer
// 1 and the float 1.0 stay distinct) and external files by digest.
type StageSpec struct {
	Stage   string                      `json:"stage"`
	Key     artifacts.Key               `json:"key"`
	Kind    string                      `json:"kind,omitempty"` // "" for a shell stage
	Run     string                      `json:"run,omitempty"`
	Dir     string                      `json:"dir,omitempty"`
	Params  json.RawMessage             `json:"params"`
	Inputs  map[string]artifacts.Digest `json:"inputs,omitempty"`
	Files   map[string]FileRef          `json:"files,omitempty"`
	Outputs []string                    `json:"outputs"`
	// Build is the source digest of the program that planned the stage; a
	// worker of another build refuses it (ErrBuildMismatch).
	Build string `json:"build"`
}

// FileRef is an external file (or directory, packed as a tar archive) in
// the store: workers unpack it into their cache under Base.
type FileRef struct {
	Digest artifacts.Digest `json:"digest"`
	Base   string           `json:"base"` // the file's base name on the client
	Dir    bool             `json:"dir,omitempty"`
}

// StageResult is what the activity returns: a pipeline.Result as data.
type StageResult struct {
	Outputs map[string]artifacts.Digest `json:"outputs"`
	Log     artifacts.Digest            `json:"log,omitempty"`
	PeakRSS int64                       `json:"peak_rss,omitempty"`
	Worker  string                      `json:"worker,omitempty"` // identity of the worker that ran it
	// Progress is the stage's last progress report, so that a stage
	// quicker than the client's polling still reports its end.
	Progress *Progress `json:"progress,omitempty"`
}

// Progress is the detail of an activity heartbeat: the stage's latest
// progress report.
type Progress struct {
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	Unit  string `json:"unit,omitempty"`
}

// encodeParams is the canonical JSON of the params.
func encodeParams(p pipeline.Params) (json.RawMessage, error) {
	if p == nil {
		p = pipeline.Params{}
	}
	b, err := pipeline.Canonical(p)
	if err != nil {
		return nil, fmt.Errorf("encode params: %w", err)
	}
	return b, nil
}

// decodeParams inverts encodeParams: numbers written with a '.' or an
// exponent become float64, the others int, as YAML decoding gave them.
func decodeParams(b json.RawMessage) (pipeline.Params, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode params: %w", err)
	}
	out, err := typed(v)
	if err != nil {
		return nil, fmt.Errorf("decode params: %w", err)
	}
	m, _ := out.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return pipeline.Params(m), nil
}

// typed replaces json.Number values with int or float64.
func typed(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return x.Float64()
		}
		n, err := x.Int64()
		return int(n), err
	case []any:
		for i := range x {
			e, err := typed(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = e
		}
	case map[string]any:
		for k := range x {
			e, err := typed(x[k])
			if err != nil {
				return nil, err
			}
			x[k] = e
		}
	}
	return v, nil
}
