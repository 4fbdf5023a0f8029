package pipeline

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// fingerprintCacheRef prefixes the references holding cached fingerprints,
// one per source digest (see CacheFingerprints).
const fingerprintCacheRef = "cache/fingerprints/"

// CacheFingerprints wraps fp so that each kind's fingerprint is computed
// once per program build and then read from the store: salt returns a
// digest of everything fingerprints depend on (the embedded sources, module
// versions, Go version), under which the results are kept. Parsing the
// module's sources costs tens of milliseconds; a cached no-op run should not.
// The cache is written back by Engine.Close.
func CacheFingerprints(fp Fingerprinter, s artifacts.Refs, salt func() (string, error)) Fingerprinter {
	return &cachedFingerprints{fp: fp, store: s, salt: salt}
}

type cachedFingerprints struct {
	fp     Fingerprinter
	store  artifacts.Refs
	salt   func() (string, error)
	mu     sync.Mutex
	ref    string
	m      map[string]string
	dirty  bool
	saltEr error
}

// load reads the cache for this build once; a damaged cache is ignored.
func (c *cachedFingerprints) load() error {
	if c.m != nil || c.saltEr != nil {
		return c.saltEr
	}
	salt, err := c.salt()
	if err != nil {
		c.saltEr = err
		return err
	}
	c.ref, c.m = fingerprintCacheRef+salt, map[string]string{}
	if b, err := c.store.GetRef(context.Background(), c.ref); err == nil {
		_ = json.Unmarshal(b, &c.m)
	}
	return nil
}

func (c *cachedFingerprints) Fingerprint(k *Kind) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return "", err
	}
	id := k.Name + "@" + k.Version
	if fp, ok := c.m[id]; ok {
		return fp, nil
	}
	fp, err := c.fp.Fingerprint(k)
	if err != nil {
		return "", err
	}
	c.m[id], c.dirty = fp, true
	return fp, nil
}

// save writes new entries back; concurrent writers only race to store the
// same values.
func (c *cachedFingerprints) save(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	b, err := json.Marshal(c.m)
	if err != nil {
		return err
	}
	c.dirty = false
	return c.store.SetRef(ctx, c.ref, b)
}
