package temporal

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the queue of stages of one resource class planned by one
// build: a worker polls exactly the queue of its own class and build, so
// no stage ever reaches a worker that would compute it with other code.
func TaskQueue(class, build string) string {
	if class == "" {
		class = "default"
	}
	return fmt.Sprintf("pipe-%s-%s", class, short(build))
}

// WorkerOptions configure NewWorker.
type WorkerOptions struct {
	Class string // resource class served ("" for the default)
	Slots int    // stages run at once (default 1)
	// Activities runs the stages; its Build names the queue.
	Activities *Activities
}

// NewWorker returns a worker (not started) that runs the stages of its
// class and build; Run or Start it, Stop it to leave.
func NewWorker(c client.Client, o WorkerOptions) worker.Worker {
	slots := max(o.Slots, 1)
	w := worker.New(c, TaskQueue(o.Class, o.Activities.Build), worker.Options{
		MaxConcurrentActivityExecutionSize: slots,
		// Heartbeats reach the service at least every second, so progress
		// and cancellation travel within about a second.
		MaxHeartbeatThrottleInterval:     time.Second,
		DefaultHeartbeatThrottleInterval: time.Second,
		Identity:                         o.Activities.identity(),
	})
	w.RegisterWorkflowWithOptions(StageWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterActivityWithOptions(o.Activities.RunStage, activity.RegisterOptions{Name: ActivityName})
	return w
}
