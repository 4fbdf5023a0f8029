package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"runtime"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// Config holds what an Engine works with. Nothing is global: the store,
// the executor and the fingerprinter are passed in.
type Config struct {
	File         *File
	Store        artifacts.Store
	Executor     Executor      // needed by Run only
	Fingerprints Fingerprinter // needed when the file uses built-in kinds
	// DataDir is where relative FileDep paths of built-in kinds resolve;
	// "" means "data" beside the pipelines file.
	DataDir string
	// Version is the program's version, kept in run records.
	Version string
	// Backend, if set, names the numeric backend a built-in stage runs on
	// now (BLAS library and threads, SIMD or Go kernels), kept in run
	// records. It is deliberately not in the key: the backends agree to
	// rounding, and keying on them would split a store shared by machines
	// into one cache per machine. The record lets `pipe show` and `pipe
	// lineage` tell which backend produced a result.
	Backend func() string
}

// Engine plans and runs the stages of one loaded file against one store.
type Engine struct {
	cfg   Config
	files *fileDigests
	keys  keyDigests
	host  string
}

// NewEngine returns an engine for cfg.
func NewEngine(cfg Config) *Engine {
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(cfg.File.Dir, "data")
	}
	if abs, err := filepath.Abs(cfg.DataDir); err == nil {
		cfg.DataDir = abs
	}
	host, _ := os.Hostname()
	return &Engine{cfg: cfg, files: newFileDigests(cfg.Store), host: host,
		keys: keyDigests{m: map[string]artifacts.Digest{}}}
}

// File returns the engine's file.
func (e *Engine) File() *File { return e.cfg.File }

// Store returns the engine's store.
func (e *Engine) Store() artifacts.Store { return e.cfg.Store }

// Close saves the external-file digest cache and, if the fingerprinter
// caches in the store, the fingerprint cache.
func (e *Engine) Close(ctx context.Context) error {
	err := e.files.save(ctx)
	if c, ok := e.cfg.Fingerprints.(*cachedFingerprints); ok {
		if cerr := c.save(ctx); err == nil {
			err = cerr
		}
	}
	return err
}

// newRecord fills the provenance fields every record carries.
func (e *Engine) newRecord(p *prepared) *artifacts.RunRecord {
	return &artifacts.RunRecord{
		Key:         p.key,
		Stage:       p.stage.Name,
		Kind:        p.stage.KindName(),
		Fingerprint: p.parts.Fingerprint,
		Params:      p.params,
		Inputs:      p.parts.Inputs,
		Files:       p.parts.Files,
		Host:        e.host,
		GoVersion:   runtime.Version(),
		Version:     e.cfg.Version,
		Profile:     e.cfg.File.Profile,
		Backend:     e.backend(p),
	}
}

// backend describes the numeric backend of a built-in stage's run.
func (e *Engine) backend(p *prepared) string {
	if e.cfg.Backend == nil || p.stage.Shell() {
		return ""
	}
	return e.cfg.Backend()
}
