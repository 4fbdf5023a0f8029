// Package kind is the API for writing a built-in stage kind: the Kind
// declaration (its params, inputs, outputs and data files), the Params a
// stage receives, its Inputs and Outputs as Arrow records, the Reporter
// for its log and progress, and the Registry a program fills with its
// kinds. Package pipeline plans and runs stages; it knows kinds only
// through a Registry, so a project can bring its own kinds without
// touching the engine (see cmd/pipe/pipecmd for its command line).
//
// # Contract
//
// A kind's Run must be a named package-level function: its fingerprint,
// which decides when the stage reruns, is computed from the source code
// reachable from that function, and a closure has no name to start from.
// Run must be deterministic given its Inputs and Params (randomness comes
// from a seed param), must stop when its context is cancelled, and must
// not keep the input records past its return: the runner owns and
// releases them. The records it returns are marshalled, stored and
// released by the runner.
//
// Every param is declared with a type, a default (nil when required) and,
// when numeric, a Range. Params are checked when pipelines.yaml is loaded
// (Kind.CheckParams): a typo, a wrong type or a value out of range is
// reported with its line before anything runs, so Run can read them with
// the typed getters, which panic only on a programming error.
//
// A declaration is checked when it is registered (Registry.Register): a
// kind's own tests that register it find a bad default or a repeated port
// name, not its users.
package kind
