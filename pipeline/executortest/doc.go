// Package executortest is a conformance suite for pipeline.Executor
// implementations, in the pattern of gonum's lapack/testlapack: an
// implementation's own test calls Run with a constructor, and the suite
// checks the whole contract (shell environment, fan-in inputs, outputs,
// logs, failures, panics, corrupt inputs and cancellation).
package executortest
