package temporal

import (
	"context"
	"errors"
	"fmt"

	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Failure types of the activity that are never retried: running the stage
// again would fail the same way (the stage is deterministic given its
// inputs), so the first failure goes straight back to the client.
const (
	TypeStageFailed   = "StageFailed"
	TypeMissingOutput = "MissingOutput"
	TypeInputError    = "InputError"
	TypeBuildMismatch = "BuildMismatch"
)

// nonRetryable lists the types above for the activity's retry policy.
var nonRetryable = []string{TypeStageFailed, TypeMissingOutput, TypeInputError, TypeBuildMismatch}

var (
	// ErrBuildMismatch reports a worker whose program differs from the
	// client's: its kinds could compute other results under the same key.
	ErrBuildMismatch = errors.New("temporal executor: worker build differs from the client's")
	// ErrNoWorker reports a task queue no worker polls.
	ErrNoWorker = errors.New("temporal executor: no worker polls the task queue")
)

// failure is the detail of a non-retryable failure.
type failure struct {
	Log      artifacts.Digest `json:"log,omitempty"`
	Input    string           `json:"input,omitempty"`
	Digest   artifacts.Digest `json:"digest,omitempty"`
	Corrupt  bool             `json:"corrupt,omitempty"`
	NotFound bool             `json:"not_found,omitempty"`
}

// toFailure turns an executor error into the activity's error: the
// contract's failures become non-retryable application errors carrying
// the log and the input; anything else (a store hiccup) stays retryable.
func toFailure(ctx context.Context, err error, res *pipeline.Result) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var f failure
	if res != nil {
		f.Log = res.Log
	}
	var ie *pipeline.InputError
	switch {
	case errors.As(err, &ie):
		f.Input, f.Digest = ie.Input, ie.Digest
		f.Corrupt, f.NotFound = errors.Is(err, artifacts.ErrCorrupt), errors.Is(err, artifacts.ErrNotFound)
		return sdktemporal.NewNonRetryableApplicationError(err.Error(), TypeInputError, nil, f)
	case errors.Is(err, pipeline.ErrMissingOutput):
		return sdktemporal.NewNonRetryableApplicationError(err.Error(), TypeMissingOutput, nil, f)
	case errors.Is(err, pipeline.ErrStageFailed):
		return sdktemporal.NewNonRetryableApplicationError(err.Error(), TypeStageFailed, nil, f)
	case errors.Is(err, ErrBuildMismatch):
		return sdktemporal.NewNonRetryableApplicationError(err.Error(), TypeBuildMismatch, nil, f)
	}
	return err
}

// remoteError is a worker's error on the client: its message, wrapping
// the sentinel the local executor would have wrapped.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

// fromFailure turns a workflow's error back into the executor contract's
// errors, with the failed run's log in the result.
func fromFailure(err error) (*pipeline.Result, error) {
	var app *sdktemporal.ApplicationError
	if !errors.As(err, &app) {
		return nil, err
	}
	var f failure
	if app.HasDetails() {
		_ = app.Details(&f)
	}
	var res *pipeline.Result
	if f.Log != "" {
		res = &pipeline.Result{Log: f.Log}
	}
	msg := app.Message()
	switch app.Type() {
	case TypeStageFailed:
		return res, &remoteError{msg, pipeline.ErrStageFailed}
	case TypeMissingOutput:
		return res, &remoteError{msg, pipeline.ErrMissingOutput}
	case TypeBuildMismatch:
		return res, &remoteError{msg, ErrBuildMismatch}
	case TypeInputError:
		cause := error(&remoteError{msg, errors.New("unreadable input")})
		if f.Corrupt {
			cause = &remoteError{msg, artifacts.ErrCorrupt}
		} else if f.NotFound {
			cause = &remoteError{msg, artifacts.ErrNotFound}
		}
		return res, &pipeline.InputError{Input: f.Input, Digest: f.Digest, Err: cause}
	}
	return res, fmt.Errorf("stage on a worker: %w", err)
}
