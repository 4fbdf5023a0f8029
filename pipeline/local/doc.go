// Package local is the Executor that runs stages on this machine: built-in
// kinds in-process, shell stages as `sh -c` child processes.
//
// A shell stage runs in the directory of pipelines.yaml, in its own process
// group (so cancelling the run kills everything it started), with its
// inputs materialized as files in a private temporary directory and these
// environment variables, names upper-cased:
//
//	PIPE_IN_<NAME>     path of the input file; for a fan-in input, a directory
//	                   holding one file per artifact, named <stage>.<output>
//	PIPE_OUT_<NAME>    path where the output must be written
//	PIPE_PARAM_<KEY>   a string param as is; any other value as JSON
//	                   (numbers in canonical form: 1.0 stays "1.0")
//
// Its stdout and stderr go to one log, stored as an object whether it
// succeeds or not. Exiting 0 without writing every declared output is a
// failure. Peak memory comes from the child's resource usage.
//
// A built-in kind receives its inputs decoded from the stored Arrow IPC
// bytes, and its outputs are marshalled deterministically and stored. A
// panic in a kind is a failure of that stage, not of the program.
package local
