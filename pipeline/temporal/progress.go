package temporal

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// progressPoll is how often the client reads the stage's last heartbeat.
const progressPoll = time.Second

// relayProgress polls the workflow's pending activity and hands the
// progress its heartbeats carry to fn, until stopped; stop returns the
// last progress handed on (it may be called more than once).
func (x *Executor) relayProgress(ctx context.Context, run client.WorkflowRun, fn func(int64, int64, string)) (stop func() Progress) {
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	var last Progress
	go func() {
		defer close(finished)
		t := time.NewTicker(progressPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			p, err := x.progress(ctx, run)
			if err == nil && p != last {
				last = p
				fn(p.Done, p.Total, p.Unit)
			}
		}
	}()
	return func() Progress { cancel(); <-finished; return last }
}

// progress reads the progress of the latest heartbeat of run's activity.
func (x *Executor) progress(ctx context.Context, run client.WorkflowRun) (Progress, error) {
	desc, err := x.opts.Client.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		return Progress{}, err
	}
	for _, a := range desc.GetPendingActivities() {
		if d := a.GetHeartbeatDetails(); d != nil {
			var p Progress
			if err := converter.GetDefaultDataConverter().FromPayloads(d, &p); err != nil {
				return Progress{}, err
			}
			if p.Unit == "" && p.Total == 0 {
				return Progress{}, errNoProgress
			}
			return p, nil
		}
	}
	return Progress{}, errNoProgress
}
