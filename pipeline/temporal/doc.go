// Package temporal is the Executor that runs stages on other machines,
// through a Temporal service (temporal.io), with a store they all share
// (an artifacts.S3Store, typically).
//
// Each stage is one workflow whose ID comes from the stage key (and a
// scope naming the store). Temporal allows one running execution per ID,
// so two clients that plan the same stage share one execution; a client
// restarted after the stage finished picks up its result; and only a
// failed execution is ever started again under the same ID.
//
// The workflow runs one activity, RunStage, on a worker (`pipe worker`,
// the same binary as the client). The activity rebuilds the Task from the
// StageSpec (the kind by name from the worker's registry, the params from
// their canonical JSON, external files unpacked by digest from the store
// into the worker's cache) and runs it with the local executor, whose
// outputs go straight into the shared store. While it runs it heartbeats
// every second with the stage's latest progress; the client reads that
// progress back, and a cancellation reaches the stage with the next
// heartbeat. A worker that dies stops heartbeating, and after the
// heartbeat timeout the service gives the stage to another worker.
//
// The stage's own failures (ErrStageFailed, ErrMissingOutput, an
// InputError naming the input and its digest, a build mismatch) are
// non-retryable: a deterministic stage would fail again. Anything else (a
// store that did not answer, a lost worker) is retried with backoff.
//
// Task queues are per resource class (`resources: class:` in
// pipelines.yaml, outside the key) and per build (the source digest), so a
// stage only reaches workers of its class that run the very code that
// planned it; the client fails fast with ErrNoWorker when nobody polls
// the queue rather than waiting forever.
package temporal
