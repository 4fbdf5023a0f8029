package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// runShell runs a shell stage; see the package documentation for its
// environment.
func (x *Executor) runShell(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	dir, err := x.workDir(t)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	env, err := x.shellEnv(ctx, t, dir)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", t.Run)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = t.Dir, env, logf, logf
	// Its own process group, so that cancelling kills everything it
	// started; and, where the OS offers it, killed with pipe itself should
	// pipe die without cancelling (see shellProcAttr).
	cmd.SysProcAttr = shellProcAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	runErr := cmd.Run()
	if cmd.Process != nil {
		// Whatever the command left running in its group goes with it.
		_ = killGroup(cmd.Process)
	}
	logf.Close()
	res := &pipeline.Result{}
	if b, err := os.ReadFile(logPath); err == nil {
		res.Log = x.storeLog(ctx, b)
	}
	if ps := cmd.ProcessState; ps != nil {
		res.PeakRSS = peakRSS(ps)
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("cancelled: %w", ctx.Err())
	}
	if runErr != nil {
		return res, fmt.Errorf("%w: sh -c: %v", pipeline.ErrStageFailed, runErr)
	}
	res.Outputs, err = x.collect(ctx, t, dir)
	return res, err
}

// shellEnv materializes the inputs and builds the PIPE_* environment.
func (x *Executor) shellEnv(ctx context.Context, t *pipeline.Task, dir string) ([]string, error) {
	env := append([]string(nil), x.opts.Env...)
	in := filepath.Join(dir, "in")
	seen := map[string]bool{}
	for _, name := range keys(t.Inputs) {
		d := t.Inputs[name]
		base, ref, many := strings.Cut(name, "/")
		path := filepath.Join(in, base)
		if many {
			path = filepath.Join(in, base, ref)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := x.store.Materialize(ctx, d, path); err != nil {
			return nil, &pipeline.InputError{Input: name, Digest: d, Err: err}
		}
		if !seen[base] {
			seen[base] = true
			env = append(env, "PIPE_IN_"+pipeline.EnvName(base)+"="+filepath.Join(in, base))
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		return nil, err
	}
	for _, o := range t.Outputs {
		env = append(env, "PIPE_OUT_"+pipeline.EnvName(o)+"="+filepath.Join(dir, "out", o))
	}
	for _, k := range keys(t.Params) {
		v, err := ParamText(t.Params[k])
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", k, err)
		}
		env = append(env, "PIPE_PARAM_"+pipeline.EnvName(k)+"="+v)
	}
	return env, nil
}

// ParamText is how a param reaches a shell stage: a string as it is, any
// other value as canonical JSON.
func ParamText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := pipeline.Canonical(v)
	return string(b), err
}

// collect stores the declared outputs the command wrote.
func (x *Executor) collect(ctx context.Context, t *pipeline.Task, dir string) (map[string]artifacts.Digest, error) {
	out := map[string]artifacts.Digest{}
	for _, o := range t.Outputs {
		path := filepath.Join(dir, "out", o)
		fi, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s (the command exited 0 without writing $PIPE_OUT_%s)", pipeline.ErrMissingOutput, o, pipeline.EnvName(o))
		} else if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: %s is not a regular file", pipeline.ErrMissingOutput, o)
		}
		d, err := x.store.PutFile(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("store output %s: %w", o, err)
		}
		out[o] = d
	}
	return out, nil
}
