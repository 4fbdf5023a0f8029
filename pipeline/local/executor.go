package local

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/cores"
)

// Options configure an Executor.
type Options struct {
	// TempDir holds the per-task working directories; "" means os.TempDir().
	TempDir string
	// Env is the environment shell stages start from; nil means os.Environ().
	Env []string
}

// Executor runs tasks on this machine and stores their outputs in a store.
type Executor struct {
	store artifacts.Objects
	opts  Options
}

var _ pipeline.Executor = (*Executor)(nil)

// New returns an executor that stores into s (it needs objects only).
func New(s artifacts.Objects, opts Options) *Executor {
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	return &Executor{store: s, opts: opts}
}

// Execute runs one task: a built-in kind in-process, a shell stage as a
// child process. Either way the task holds one of the process's cores
// while it runs (package cores), so the parallel passes of the stages
// running beside it borrow only cores that are idle.
func (x *Executor) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer cores.Hold()()
	if t.Kind != nil {
		return x.runKind(ctx, t)
	}
	return x.runShell(ctx, t)
}

// workDir makes a private temporary directory for one task.
func (x *Executor) workDir(t *pipeline.Task) (string, error) {
	safe := strings.Map(func(r rune) rune {
		if r == '/' || r == os.PathSeparator {
			return '_'
		}
		return r
	}, t.Stage)
	dir, err := os.MkdirTemp(x.opts.TempDir, "pipe-"+safe+"-")
	if err != nil {
		return "", fmt.Errorf("stage %s: work directory: %w", t.Stage, err)
	}
	return dir, nil
}

// storeLog stores a log even when the run was cancelled, so a failure can
// be inspected with `pipe logs`.
func (x *Executor) storeLog(ctx context.Context, data []byte) artifacts.Digest {
	if len(data) == 0 {
		return ""
	}
	d, err := x.store.Put(context.WithoutCancel(ctx), strings.NewReader(string(data)))
	if err != nil {
		return ""
	}
	return d
}
