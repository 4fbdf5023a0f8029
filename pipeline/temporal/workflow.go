package temporal

import (
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names under which workers register the workflow and the activity.
const (
	WorkflowName = "pipe.stage"
	ActivityName = "pipe.run-stage"
)

// StageInput is the workflow's argument.
type StageInput struct {
	Spec StageSpec `json:"spec"`
	// HeartbeatTimeout is how long the service waits for a heartbeat
	// before it gives the stage to another worker (a worker that died).
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout"`
	// Attempts bounds the tries after retryable failures (lost workers,
	// store errors); the stage's own failures are never retried.
	Attempts int `json:"attempts"`
}

// StageWorkflow runs one stage as one activity. It holds no logic of its
// own, so that it stays deterministic under replay whatever the stage does.
func StageWorkflow(ctx workflow.Context, in StageInput) (*StageResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * 24 * time.Hour, // a stage may train for days; heartbeats catch dead workers
		HeartbeatTimeout:    in.HeartbeatTimeout,
		WaitForCancellation: true, // the client learns of a cancel only once the stage's processes are gone
		RetryPolicy: &sdktemporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			MaximumAttempts:        int32(in.Attempts),
			NonRetryableErrorTypes: nonRetryable,
		},
	})
	var res StageResult
	if err := workflow.ExecuteActivity(ctx, ActivityName, in.Spec).Get(ctx, &res); err != nil {
		return nil, err
	}
	return &res, nil
}
