package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// measureCacheRef prefixes the references that memoize key digests of
// outputs with measurement columns, one per output digest.
const measureCacheRef = "cache/key-digests/"

// keyDigests memoizes the digests that dependents' keys use for outputs
// with measurement columns (see PortSpec.Measures).
type keyDigests struct {
	mu sync.Mutex
	m  map[artifacts.Digest]artifacts.Digest
}

// keyDigest returns what the keys of stages reading output out of stage up
// depend on: the output's digest, or, when its kind declares measurement
// columns, "m:" and the sha256 of the table without them. Two runs that
// compute the same results at different speeds then leave every dependent
// cached (early cutoff through measurements), while the dependents still
// read, and show, the measurements of the run whose results they used.
func (e *Engine) keyDigest(ctx context.Context, up, out string, d artifacts.Digest) (artifacts.Digest, error) {
	cols := measures(e.cfg.File.Stages[up], out)
	if len(cols) == 0 {
		return d, nil
	}
	e.keys.mu.Lock()
	defer e.keys.mu.Unlock()
	if kd, ok := e.keys.m[d]; ok {
		return kd, nil
	}
	ref := measureCacheRef + string(d)
	if b, err := e.cfg.Store.GetRef(ctx, ref); err == nil && len(b) > 0 {
		e.keys.m[d] = artifacts.Digest(b)
		return artifacts.Digest(b), nil
	}
	b, err := e.cfg.Store.Get(ctx, d)
	if err != nil {
		return "", fmt.Errorf("%s.%s: %w", up, out, err)
	}
	kept, err := artifacts.WithoutColumns(b, cols)
	if err != nil {
		return "", fmt.Errorf("%s.%s: measurement columns %v: %w", up, out, cols, err)
	}
	sum := sha256.Sum256(kept)
	kd := artifacts.Digest("m:" + hex.EncodeToString(sum[:]))
	if err := e.cfg.Store.SetRef(ctx, ref, []byte(kd)); err != nil {
		return "", err
	}
	e.keys.m[d] = kd
	return kd, nil
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
