package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
)

// measureCacheRef prefixes the references that memoize key digests of
// outputs with measurement columns: cache/key-digests/<digest>.<columns>,
// where <columns> is a short hash of the dropped column set, so that two
// kinds declaring different measurement columns of equal bytes do not share
// an entry. gc drops an entry with its object (see memoRefDigest).
const measureCacheRef = "cache/key-digests/"

// keyDigests memoizes, by memo reference name, the digests that dependents'
// keys use for outputs with measurement columns (see PortSpec.Measures).
type keyDigests struct {
	mu sync.Mutex
	m  map[string]artifacts.Digest
}

// keyDigest returns what the keys of stages reading output out of stage up
// (as their input named input) depend on: the output's digest d, or, when
// its kind declares measurement columns, "m:" and the sha256 of the table
// without them. Two runs that compute the same results at different speeds
// then leave every dependent cached (early cutoff through measurements),
// while the dependents still read, and show, the measurements of the run
// whose results they used. An object that cannot be read is reported as an
// *InputError, so that a corrupt one is quarantined and its producer rerun
// like any corrupt input.
func (e *Engine) keyDigest(ctx context.Context, input, up, out string, d artifacts.Digest) (artifacts.Digest, error) {
	cols := measures(e.cfg.File.Stages[up], out)
	if len(cols) == 0 {
		return d, nil
	}
	ref := memoRef(d, cols)
	e.keys.mu.Lock()
	defer e.keys.mu.Unlock()
	if kd, ok := e.keys.m[ref]; ok {
		return kd, nil
	}
	if b, err := e.cfg.Store.GetRef(ctx, ref); err == nil && len(b) > 0 {
		e.keys.m[ref] = artifacts.Digest(b)
		return artifacts.Digest(b), nil
	}
	b, err := e.cfg.Store.Get(ctx, d)
	if err != nil {
		return "", &InputError{Input: input, Digest: d, Err: fmt.Errorf("%s.%s: %w", up, out, err)}
	}
	kept, err := arrowtab.WithoutColumns(b, cols)
	if err != nil {
		return "", fmt.Errorf("%s.%s: measurement columns %v: %w", up, out, cols, err)
	}
	sum := sha256.Sum256(kept)
	kd := artifacts.Digest("m:" + hex.EncodeToString(sum[:]))
	if err := e.cfg.Store.SetRef(ctx, ref, []byte(kd)); err != nil {
		return "", fmt.Errorf("%s.%s: memoize key digest: %w", up, out, err)
	}
	e.keys.m[ref] = kd
	return kd, nil
}

// memoRef names the memo reference of object d with measurement columns
// cols: the digest, a dot and 16 hex digits of the sha256 of the sorted
// column names.
func memoRef(d artifacts.Digest, cols []string) string {
	sorted := slices.Sorted(slices.Values(cols))
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\x00")))
	return measureCacheRef + string(d) + "." + hex.EncodeToString(sum[:8])
}

// memoRefDigest returns the object digest a memo reference (full name,
// under measureCacheRef) is about: what comes before the first dot.
func memoRefDigest(name string) artifacts.Digest {
	rest := strings.TrimPrefix(name, measureCacheRef)
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	return artifacts.Digest(rest)
}

// measures returns the measurement columns a stage's kind declares for one
// of its outputs (none for shell stages).
func measures(s *Stage, out string) []string {
	if s == nil || s.Impl == nil {
		return nil
	}
	for _, p := range s.Impl.Outputs {
		if p.Name == out {
			return p.Measures
		}
	}
	return nil
}
