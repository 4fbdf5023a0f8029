package temporal

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Activities is the worker's side: it turns a StageSpec back into a Task
// and runs it with an executor (the local one) over the shared store.
type Activities struct {
	Store    artifacts.Store
	Registry *pipeline.Registry
	Executor pipeline.Executor
	// Build is this program's source digest; specs of another build are refused.
	Build string
	// CacheDir holds the external files unpacked from the store.
	CacheDir string
	// Heartbeat is the interval of heartbeats (default 1 s).
	Heartbeat time.Duration
	// Identity names this worker in results ("" for host/pid).
	Identity string
}

// RunStage is the activity: run one stage, heartbeating its progress.
// A cancellation requested by the client arrives with a heartbeat
// response and cancels ctx, which kills the stage.
func (a *Activities) RunStage(ctx context.Context, spec StageSpec) (*StageResult, error) {
	if spec.Build != a.Build {
		return nil, toFailure(ctx, fmt.Errorf("%w: stage %s was planned by build %s, this worker is build %s",
			ErrBuildMismatch, spec.Stage, short(spec.Build), short(a.Build)), nil)
	}
	task, err := a.task(ctx, spec)
	if err != nil {
		return nil, err
	}
	var last atomic.Pointer[Progress]
	task.Progress = func(done, total int64, unit string) {
		last.Store(&Progress{Done: done, Total: total, Unit: unit})
	}
	stop := a.heartbeat(ctx, &last)
	res, err := a.Executor.Execute(ctx, task)
	stop()
	if err != nil {
		return nil, toFailure(ctx, err, res)
	}
	return &StageResult{Outputs: res.Outputs, Log: res.Log, PeakRSS: res.PeakRSS, Worker: a.identity(),
		Progress: last.Load()}, nil
}

// heartbeat records a heartbeat now and every interval until stopped.
func (a *Activities) heartbeat(ctx context.Context, last *atomic.Pointer[Progress]) (stop func()) {
	every := a.Heartbeat
	if every <= 0 {
		every = time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	beat := func() {
		p := Progress{}
		if l := last.Load(); l != nil {
			p = *l
		}
		activity.RecordHeartbeat(ctx, p)
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		beat()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				beat()
			}
		}
	}()
	return func() { close(done); <-finished }
}

// task rebuilds the pipeline.Task of a spec on this worker.
func (a *Activities) task(ctx context.Context, spec StageSpec) (*pipeline.Task, error) {
	params, err := decodeParams(spec.Params)
	if err != nil {
		return nil, toFailure(ctx, fmt.Errorf("%w: stage %s: %v", ErrBuildMismatch, spec.Stage, err), nil)
	}
	t := &pipeline.Task{Stage: spec.Stage, Key: spec.Key, Run: spec.Run, Dir: spec.Dir, Params: params,
		Inputs: spec.Inputs, Outputs: spec.Outputs}
	if t.Inputs == nil {
		t.Inputs = map[string]artifacts.Digest{}
	}
	if spec.Kind != "" {
		k, ok := a.Registry.Lookup(spec.Kind)
		if !ok {
			return nil, toFailure(ctx, fmt.Errorf("%w: stage %s: kind %q is not registered on this worker",
				ErrBuildMismatch, spec.Stage, spec.Kind), nil)
		}
		t.Kind = k
	} else if st, err := os.Stat(spec.Dir); err != nil || !st.IsDir() {
		return nil, toFailure(ctx, fmt.Errorf("%w: stage %s: its directory %s is missing on worker %s (shell stages need the project at the same path on every worker)",
			pipeline.ErrStageFailed, spec.Stage, spec.Dir, a.identity()), nil)
	}
	if len(spec.Files) > 0 {
		t.Files = make(map[string]string, len(spec.Files))
		for name, ref := range spec.Files {
			p, err := unpack(ctx, a.Store, a.CacheDir, ref)
			if err != nil {
				return nil, fmt.Errorf("stage %s: file %s: %w", spec.Stage, name, err) // retryable: the store may recover
			}
			t.Files[name] = p
		}
	}
	return t, nil
}

func (a *Activities) identity() string {
	if a.Identity != "" {
		return a.Identity
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// short shortens a build digest for messages.
func short(build string) string {
	if len(build) > 12 {
		return build[:12]
	}
	return build
}
