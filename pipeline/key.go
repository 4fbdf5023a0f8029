package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// Fingerprinter returns the implementation fingerprint of a built-in kind
// (package pipeline/fingerprint computes it from the module's sources).
type Fingerprinter interface {
	Fingerprint(k *Kind) (string, error)
}

// shellABI versions the contract between the engine and shell stages (the
// PIPE_* variables); it is part of every shell fingerprint.
const shellABI = "pipe-shell-v1"

// KeyParts is everything a stage key covers.
type KeyParts struct {
	Kind        string                      // built-in kind name, or "shell"
	Fingerprint string                      // kind fingerprint, or ShellFingerprint
	Params      Params                      // after the profile overlay and defaults
	Inputs      map[string]artifacts.Digest // by Stage.InputNames
	// KeyInputs replaces, in the key only, the digest of an input whose
	// producer declares measurement columns (see PortSpec.Measures).
	KeyInputs map[string]artifacts.Digest
	Files     map[string]artifacts.Digest // external files and deps
	Outputs   []string
}

// Key returns sha256 of the canonical JSON of the parts, and the canonical
// JSON of the params alone (kept in the run record). The key depends on the
// digests of the inputs, not on the keys of the stages that produced them:
// an upstream stage that reruns and writes the same bytes leaves this key,
// and so this stage, unchanged (early cutoff).
func (kp *KeyParts) Key() (artifacts.Key, json.RawMessage, error) {
	params, err := Canonical(kp.Params)
	if err != nil {
		return "", nil, err
	}
	outs := append([]string(nil), kp.Outputs...)
	sort.Strings(outs)
	doc := map[string]any{
		"kind":        kp.Kind,
		"fingerprint": kp.Fingerprint,
		"params":      json.RawMessage(params),
		"inputs":      digestMap(kp.Inputs, kp.KeyInputs),
		"files":       digestMap(kp.Files, nil),
		"outputs":     outs,
	}
	b, err := canonWithRaw(doc)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(b)
	return artifacts.Key(hex.EncodeToString(sum[:])), params, nil
}

// digestMap returns the digests of m as key material, each replaced by its
// entry in override, if any.
func digestMap(m, override map[string]artifacts.Digest) map[string]any {
	out := make(map[string]any, len(m))
	for k, d := range m {
		if o, ok := override[k]; ok {
			d = o
		}
		out[k] = string(d)
	}
	return out
}

// canonWithRaw encodes a map whose values may be already-canonical JSON.
func canonWithRaw(m map[string]any) ([]byte, error) {
	plain := make(map[string]any, len(m))
	raws := map[string]json.RawMessage{}
	for k, v := range m {
		if r, ok := v.(json.RawMessage); ok {
			raws[k] = r
			plain[k] = nil
		} else {
			plain[k] = v
		}
	}
	var out []byte
	out = append(out, '{')
	for i, k := range keysOf(plain) {
		if i > 0 {
			out = append(out, ',')
		}
		kb, _ := Canonical(k)
		out = append(append(out, kb...), ':')
		if r, ok := raws[k]; ok {
			out = append(out, r...)
			continue
		}
		vb, err := Canonical(plain[k])
		if err != nil {
			return nil, err
		}
		out = append(out, vb...)
	}
	return append(out, '}'), nil
}

// ShellFingerprint is the fingerprint of a shell stage: a hash of its run
// command and the names of the environment variables it is given.
func ShellFingerprint(s *Stage) string {
	var env []string
	for _, n := range s.InputNames() {
		env = append(env, "PIPE_IN_"+EnvName(n))
	}
	for _, n := range s.Outputs {
		env = append(env, "PIPE_OUT_"+EnvName(n))
	}
	for _, n := range keysOf(s.Params) {
		env = append(env, "PIPE_PARAM_"+EnvName(n))
	}
	sort.Strings(env)
	b, _ := Canonical(map[string]any{"abi": shellABI, "run": s.Run, "env": env})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fingerprintOf returns the fingerprint of a stage's implementation.
func fingerprintOf(fp Fingerprinter, s *Stage) (string, error) {
	if s.Shell() {
		return ShellFingerprint(s), nil
	}
	if fp == nil {
		return "", fmt.Errorf("%w %q: no fingerprinter configured", ErrFingerprint, s.Kind)
	}
	return fp.Fingerprint(s.Impl)
}
