package local

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// runKind runs a built-in kind in this process.
func (x *Executor) runKind(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	in := pipeline.Inputs{Tables: map[string]arrow.Record{}, Files: t.Files}
	defer func() {
		for _, r := range in.Tables {
			r.Release()
		}
	}()
	for _, name := range keys(t.Inputs) {
		rec, err := x.readTable(ctx, t.Inputs[name])
		if err != nil {
			return nil, &pipeline.InputError{Input: name, Digest: t.Inputs[name], Err: err}
		}
		in.Tables[name] = rec
	}
	rep := &reporter{progress: t.Progress}
	outs, err := callRun(ctx, t.Kind, in, t.Params, rep)
	defer func() {
		for _, r := range outs {
			if r != nil {
				r.Release()
			}
		}
	}()
	res := &pipeline.Result{}
	if err == nil && ctx.Err() == nil {
		res.Outputs, err = x.storeOutputs(ctx, t, outs)
	}
	if err != nil {
		rep.Logf("error: %v", err)
	}
	res.Log = x.storeLog(ctx, rep.bytes())
	if ctx.Err() != nil {
		return res, fmt.Errorf("cancelled: %w", ctx.Err())
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

func (x *Executor) readTable(ctx context.Context, d artifacts.Digest) (arrow.Record, error) {
	b, err := x.store.Get(ctx, d)
	if err != nil {
		return nil, err
	}
	return arrowtab.Unmarshal(b)
}

// callRun calls the kind, turning a panic into a failure of the stage with
// the stack in its log.
func callRun(ctx context.Context, k *pipeline.Kind, in pipeline.Inputs, p pipeline.Params, r *reporter) (out pipeline.Outputs, err error) {
	defer func() {
		if v := recover(); v != nil {
			r.Logf("panic: %v\n%s", v, debug.Stack())
			out, err = nil, fmt.Errorf("%w: kind %s panicked: %v", pipeline.ErrStageFailed, k.Name, v)
		}
	}()
	out, err = k.Run(ctx, in, p, r)
	if err != nil {
		err = fmt.Errorf("%w: %w", pipeline.ErrStageFailed, err)
	}
	return out, err
}

// storeOutputs marshals and stores exactly the declared outputs.
func (x *Executor) storeOutputs(ctx context.Context, t *pipeline.Task, outs pipeline.Outputs) (map[string]artifacts.Digest, error) {
	declared := map[string]bool{}
	for _, o := range t.Outputs {
		declared[o] = true
		if outs[o] == nil {
			return nil, fmt.Errorf("%w: %s (kind %s returned no record for it)", pipeline.ErrMissingOutput, o, t.Kind.Name)
		}
	}
	for name := range outs {
		if !declared[name] {
			return nil, fmt.Errorf("%w: kind %s returned undeclared output %q", pipeline.ErrStageFailed, t.Kind.Name, name)
		}
	}
	digests := map[string]artifacts.Digest{}
	for _, o := range t.Outputs {
		b, err := arrowtab.Marshal(outs[o])
		if err != nil {
			return nil, fmt.Errorf("marshal output %s: %w", o, err)
		}
		d, err := x.store.Put(ctx, bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("store output %s: %w", o, err)
		}
		digests[o] = d
	}
	return digests, nil
}

// reporter is a built-in stage's log and progress channel.
type reporter struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	progress func(done, total int64, unit string)
}

func (r *reporter) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.buf, format, args...)
	if b := r.buf.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
		r.buf.WriteByte('\n')
	}
}

func (r *reporter) Log() io.Writer { return logWriter{r} }

func (r *reporter) Progress(done, total int64, unit string) {
	if r.progress != nil {
		r.progress(done, total, unit)
	}
}

func (r *reporter) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.buf.Bytes()...)
}

type logWriter struct{ r *reporter }

func (w logWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.buf.Write(p)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
