package model

import "errors"

// Sentinel errors. Functions wrap them with %w and name the offending
// parameter, so callers can test with errors.Is and users know what to fix.
var (
	// ErrConfig reports an invalid setting (a step count, η, chunk size, ...).
	ErrConfig = errors.New("model: invalid configuration")
	// ErrNumeric reports non-finite values in inputs or results.
	ErrNumeric = errors.New("model: numerical trouble")
	// ErrFormat reports a serialized model or state that does not match what
	// is being loaded into.
	ErrFormat = errors.New("model: format mismatch")
)
