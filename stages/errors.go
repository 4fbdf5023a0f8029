package stages

import "errors"

// Sentinel errors. Every error a stage returns for bad input or numerical
// trouble wraps one of them (test with errors.Is) and names the stage
// parameter, input or split involved.
var (
	// ErrParam reports a parameter value a kind cannot honour, or a
	// combination of values that does not make sense for the task.
	ErrParam = errors.New("stages: invalid parameter")
	// ErrInput reports an input artifact of the wrong kind, schema or task
	// (a model trained on another dataset, a dataset without hold rows).
	ErrInput = errors.New("stages: invalid input artifact")
	// ErrNumeric reports a loss or gradient that became NaN or infinite.
	ErrNumeric = errors.New("stages: numerical trouble")
)
