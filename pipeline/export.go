package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
)

// ExportResult reports one export of a run.
type ExportResult struct {
	From    Ref
	To      string // relative to the pipelines file
	Format  string
	Written bool // false when the file already held exactly these bytes
}

// writeExports writes every export whose producing stage took part in the
// run. It returns retry when an object turned out corrupt: the object is
// quarantined, so running the stages again reruns its producer.
func (e *Engine) writeExports(ctx context.Context, r *Report) ([]ExportResult, bool, error) {
	outputs := map[string]map[string]artifacts.Digest{}
	for _, s := range r.Stages {
		outputs[s.Name] = s.Outputs
	}
	var out []ExportResult
	for _, ex := range e.cfg.File.Exports {
		d, ok := outputs[ex.From.Stage][ex.From.Output]
		if !ok {
			continue
		}
		b, err := e.cfg.Store.Get(ctx, d)
		if errors.Is(err, artifacts.ErrCorrupt) {
			if qerr := e.cfg.Store.Quarantine(ctx, d); qerr != nil {
				return out, false, qerr
			}
			return out, true, fmt.Errorf("export %s: %w", ex.From, err)
		} else if err != nil {
			return out, false, fmt.Errorf("export %s: %w", ex.From, err)
		}
		data, err := arrowtab.Render(b, ex.Format)
		if err != nil {
			return out, false, fmt.Errorf("%s:%d: export %s to %s: %w", e.cfg.File.Path, ex.Line, ex.From, ex.To, err)
		}
		written, err := writeIfChanged(filepath.Join(e.cfg.File.Dir, filepath.FromSlash(ex.To)), data)
		if err != nil {
			return out, false, fmt.Errorf("export %s: %w", ex.To, err)
		}
		out = append(out, ExportResult{From: ex.From, To: ex.To, Format: ex.Format, Written: written})
	}
	return out, false, nil
}

// writeIfChanged writes data to path atomically (temporary file in the same
// directory, fsync, rename), unless the file already holds exactly data, in
// which case its modification time is left alone.
func writeIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return false, err
	}
	return true, os.Rename(tmp.Name(), path)
}
