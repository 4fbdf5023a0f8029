package pipeline

import (
	"context"
	"fmt"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// Executor runs one stage. The scheduler decides what runs and records the
// results; an executor only turns a Task into stored output objects, so a
// distributed executor can replace the local one without touching the
// planner. The conformance suite in pipeline/executortest checks any
// implementation.
type Executor interface {
	// Execute runs the task and stores its outputs in the store the
	// executor was built with. On failure it returns an error (wrapping
	// ErrStageFailed, ErrMissingOutput, an *InputError or ctx.Err()) and,
	// when it could keep one, a Result whose Log holds the stage's log.
	// It must not leave partial objects: outputs are stored only after the
	// stage succeeded, and a cancelled ctx kills whatever the stage started.
	Execute(ctx context.Context, t *Task) (*Result, error)
}

// Task is one stage run, fully resolved: nothing in it refers to the file.
type Task struct {
	Stage   string
	Key     artifacts.Key
	Kind    *Kind  // the built-in kind; nil for a shell stage
	Run     string // the shell command of a shell stage
	Dir     string // working directory of a shell stage (the pipelines.yaml directory)
	Params  Params
	Inputs  map[string]artifacts.Digest // by Stage.InputNames ("name" or "name/<stage>.<output>")
	Files   map[string]string           // a kind's external files: FileDep.Name -> absolute path
	Outputs []string
	// Class is the stage's resource class (`resources: class:`), for
	// executors that route stages to workers; "" for the default.
	Class string
	// Progress, if not nil, receives the stage's progress reports.
	Progress func(done, total int64, unit string)
}

// Result is what an execution produced.
type Result struct {
	Outputs map[string]artifacts.Digest
	Log     artifacts.Digest // "" if the stage wrote no log
	PeakRSS int64            // bytes; 0 when unknown
}

// InputError reports an input that could not be read, typically because its
// object is corrupt (errors.Is(err, artifacts.ErrCorrupt)); the scheduler
// then quarantines the object and reruns the stage that produced it.
type InputError struct {
	Input  string
	Digest artifacts.Digest
	Err    error
}

func (e *InputError) Error() string {
	return fmt.Sprintf("input %s (object %s): %v", e.Input, e.Digest.Short(), e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }
