package temporal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Options configure an Executor.
type Options struct {
	Client client.Client
	// Store is the store the workers share; external files go into it.
	Store artifacts.Store
	// Build is the program's source digest (fingerprint.SourceDigest); it
	// names the task queues, so only workers of the same build get stages.
	Build string
	// Scope tells stores apart in workflow IDs (the store's URL, say): two
	// clients join one execution only for the same key in the same scope.
	Scope string
	// HeartbeatTimeout is how soon a dead worker's stage moves to another
	// worker (default 10 s).
	HeartbeatTimeout time.Duration
	// Attempts bounds the tries after retryable failures (default 10).
	Attempts int
	// WorkerWait is how long Execute waits for a worker to poll the
	// stage's queue before it fails with ErrNoWorker (default 3 s).
	WorkerWait time.Duration
	// CancelGrace bounds the wait for a cancelled stage's processes to be
	// killed before Execute returns (default 10 s).
	CancelGrace time.Duration
}

// Executor runs each task as a Temporal workflow on a worker.
type Executor struct {
	opts    Options
	files   filePacker
	mu      sync.Mutex
	pollers map[string]time.Time // queue -> when a poller was last seen
}

var _ pipeline.Executor = (*Executor)(nil)

// New returns an executor that submits to the service behind opts.Client.
func New(opts Options) *Executor {
	if opts.HeartbeatTimeout <= 0 {
		opts.HeartbeatTimeout = 10 * time.Second
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 10
	}
	if opts.WorkerWait <= 0 {
		opts.WorkerWait = 3 * time.Second
	}
	if opts.CancelGrace <= 0 {
		opts.CancelGrace = 10 * time.Second
	}
	return &Executor{opts: opts, files: filePacker{store: opts.Store}, pollers: map[string]time.Time{}}
}

// WorkflowID is the ID of the workflow that runs key in this executor's
// scope: equal work submitted twice is one execution.
func (x *Executor) WorkflowID(key artifacts.Key) string {
	h := sha256.Sum256([]byte(x.opts.Scope))
	return "pipe-" + hex.EncodeToString(h[:6]) + "-" + string(key)
}

// Execute submits the task and waits for its result. The workflow ID
// comes from the key: a running execution of the same key is joined, a
// finished one gives its result, and only a failed one is run again.
func (x *Executor) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	queue := TaskQueue(t.Class, x.opts.Build)
	if err := x.checkWorkers(ctx, queue); err != nil {
		return nil, fmt.Errorf("stage %s: %w", t.Stage, orCtx(ctx, err))
	}
	spec, err := x.spec(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", t.Stage, orCtx(ctx, err))
	}
	in := StageInput{Spec: *spec, HeartbeatTimeout: x.opts.HeartbeatTimeout, Attempts: x.opts.Attempts}
	res, err := x.run(ctx, x.WorkflowID(t.Key), queue, in, t.Progress)
	if err == nil && !x.outputsPresent(ctx, res) {
		// A finished execution whose outputs were collected since: run anew.
		id := fmt.Sprintf("%s-%d", x.WorkflowID(t.Key), time.Now().UnixNano())
		res, err = x.run(ctx, id, queue, in, t.Progress)
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

// spec turns a task into its workflow form, storing its external files.
func (x *Executor) spec(ctx context.Context, t *pipeline.Task) (*StageSpec, error) {
	params, err := encodeParams(t.Params)
	if err != nil {
		return nil, err
	}
	files, err := x.files.pack(ctx, t.Files)
	if err != nil {
		return nil, err
	}
	s := &StageSpec{Stage: t.Stage, Key: t.Key, Run: t.Run, Dir: t.Dir, Params: params,
		Inputs: t.Inputs, Files: files, Outputs: t.Outputs, Build: x.opts.Build}
	if t.Kind != nil {
		s.Kind = t.Kind.Name
	}
	return s, nil
}

// run starts (or joins) workflow id and waits for it, relaying progress;
// if ctx ends first it cancels the workflow and waits for the stage to stop.
func (x *Executor) run(ctx context.Context, id, queue string, in StageInput, progress func(int64, int64, string)) (*pipeline.Result, error) {
	run, err := x.opts.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                queue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, WorkflowName, in)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("stage %s: start workflow %s: %w", in.Spec.Stage, id, err)
	}
	var out StageResult
	done := make(chan error, 1)
	go func() { done <- run.Get(context.WithoutCancel(ctx), &out) }()
	var relayed func() Progress
	if progress != nil {
		relayed = x.relayProgress(ctx, run, progress)
		defer relayed()
	}
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = x.opts.Client.CancelWorkflow(context.WithoutCancel(ctx), run.GetID(), run.GetRunID())
		select {
		case <-done:
		case <-time.After(x.opts.CancelGrace):
		}
		return nil, ctx.Err()
	}
	if err != nil {
		res, err := fromFailure(err)
		return res, fmt.Errorf("stage %s: %w", in.Spec.Stage, err)
	}
	if relayed != nil && out.Progress != nil && relayed() != *out.Progress {
		progress(out.Progress.Done, out.Progress.Total, out.Progress.Unit)
	}
	return &pipeline.Result{Outputs: out.Outputs, Log: out.Log, PeakRSS: out.PeakRSS}, nil
}

// outputsPresent reports whether the store still has a result's outputs.
func (x *Executor) outputsPresent(ctx context.Context, res *pipeline.Result) bool {
	for _, d := range res.Outputs {
		if ok, err := x.opts.Store.Has(ctx, d); err == nil && !ok {
			return false
		}
	}
	return true
}

// pollerTTL is how long a queue once seen polled is trusted to stay so.
const pollerTTL = 30 * time.Second

// checkWorkers fails fast when no worker polls the queue: a stage sent
// there would wait forever, typically because the workers run another
// build or serve another class.
func (x *Executor) checkWorkers(ctx context.Context, queue string) error {
	x.mu.Lock()
	seen, ok := x.pollers[queue]
	x.mu.Unlock()
	if ok && time.Since(seen) < pollerTTL {
		return nil
	}
	deadline := time.Now().Add(x.opts.WorkerWait)
	for {
		resp, err := x.opts.Client.DescribeTaskQueue(ctx, queue, enumspb.TASK_QUEUE_TYPE_ACTIVITY)
		if err != nil {
			return fmt.Errorf("describe task queue %s: %w", queue, err)
		}
		if len(resp.GetPollers()) > 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w %s: start `pipe worker` from the same source (build %s) for this class",
				ErrNoWorker, queue, short(x.opts.Build))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	x.mu.Lock()
	x.pollers[queue] = time.Now()
	x.mu.Unlock()
	return nil
}

// orCtx returns ctx's error when ctx is done (a service call cut short by
// it reports a transport error instead), else err.
func orCtx(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// errNoProgress marks a heartbeat without progress details.
var errNoProgress = errors.New("no progress")
