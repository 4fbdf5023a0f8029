package pipeline

import (
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// EventType says what happened to a stage during Run.
type EventType int

// Event types, in the order a stage can go through them.
const (
	EventStarted     EventType = iota // the stage began executing
	EventProgress                     // a running stage reported progress
	EventCached                       // the stage's result was found in the store
	EventRan                          // the stage executed successfully
	EventFailed                       // the stage failed
	EventSkipped                      // the stage did not run because an upstream stage failed
	EventInterrupted                  // the run was cancelled (Ctrl-C) while the stage ran
)

// Status strings of a finished stage, as printed by `pipe run --json`.
const (
	StatusRan     = "ran"
	StatusCached  = "cached"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
	// StatusInterrupted is a stage that was running when the run was
	// cancelled; nothing of it was recorded.
	StatusInterrupted = "interrupted"
)

// Event reports one step of a run to an observer (the progress display).
// Observers are called one at a time, never concurrently.
type Event struct {
	Type     EventType
	Stage    string
	Time     time.Time
	Reason   string        // Started: why it runs; Skipped: which upstream failed
	Done     int64         // Progress
	Total    int64         // Progress
	Unit     string        // Progress
	Duration time.Duration // Ran, Failed
	Err      error         // Failed
	LogTail  string        // Failed: the last lines of the stage's log
	Reused   bool          // Cached: another process produced it while this one waited
}

// StageResult is the outcome of one stage of a run.
type StageResult struct {
	Name     string
	Status   string // StatusRan, StatusCached, StatusFailed, StatusSkipped or StatusInterrupted
	Key      artifacts.Key
	Reason   string // why it ran, why it was skipped
	Duration time.Duration
	Err      error
	LogTail  string
	Outputs  map[string]artifacts.Digest
	Backend  string // of the run that produced a cached result (see StageStatus.Backend)
}

// Report is the outcome of a run.
type Report struct {
	Stages  []*StageResult // in dependency order
	Exports []ExportResult
	Elapsed time.Duration
}

// Failed returns the stages that failed.
func (r *Report) Failed() []*StageResult {
	var out []*StageResult
	for _, s := range r.Stages {
		if s.Status == StatusFailed {
			out = append(out, s)
		}
	}
	return out
}

// Count returns how many stages ended with the given status.
func (r *Report) Count(status string) int {
	n := 0
	for _, s := range r.Stages {
		if s.Status == status {
			n++
		}
	}
	return n
}
