// Package pipeline loads pipelines.yaml, decides which stages must run, and
// runs them.
//
// # The file
//
// Load (or Parse) turns pipelines.yaml into a File: templates are expanded
// over their matrix (minus excluded combinations), `${var}` is substituted
// from the matrix and the top-level vars, the selected profile is overlaid
// (its vars before expansion, its params after, matched by stage-name
// globs), every "stage.output" reference, glob and list is resolved, the
// params of built-in stages are checked against their kind's ParamSpecs
// with defaults filled in, and the graph is checked for cycles. Every
// problem is reported at once in a *ValidationError, each naming the file,
// the line and the stage. README.md is the reference of the format.
//
// # Keys and the store
//
// A stage's key (KeyParts.Key) hashes the canonical JSON of its kind, the
// fingerprint of its implementation (a Fingerprinter for built-in kinds,
// ShellFingerprint for shell stages), its params, the digests of its inputs,
// the digests of its external files and its output names. Because the key
// holds input digests rather than upstream keys, it is known only once the
// upstream stages have finished, and a stage whose upstream reran but wrote
// the same bytes keeps its key: early cutoff. An input whose producer
// declares measurement columns (PortSpec.Measures: timings, heap peaks)
// enters the key by the digest of the table without them, so a rerun that
// only measured different times still cuts off. A run record under the key
// whose output objects all exist means the stage is cached; records are
// never overwritten by other keys, so reverting a change finds the old
// result again.
//
// # Running
//
// An Engine works on one File, one artifacts.Store and one Executor. Status
// plans without running. Run schedules the closure of the targets on a
// worker pool: a stage becomes ready when its upstream stages are done; a
// worker computes its key and looks it up; if it must run, the worker locks
// the key in the store (another process may be producing it), looks again,
// executes, and only then writes the record and moves the references. A
// failure skips the stages below it and, unless KeepGoing, stops new
// stages from starting. Cancelling the context kills running stages and
// records nothing for them. An input object found corrupt is quarantined,
// its producer runs again, then the reader.
//
// The Executor interface is the seam for other execution back ends:
// pipeline/local runs built-in kinds in-process and shell stages as child
// processes, and pipeline/executortest is the conformance suite every
// executor must pass.
//
// # References
//
// stages/<stage> holds the key of a stage's latest successful run (for
// status reasons; the CLI's show, logs and lineage prefer the result the
// current profile's key names), pipelines/<name>/<profile> the
// keys of the latest run of a pipeline or stage name (the roots of GC), and
// logs/<stage> the log of a stage's latest failed run. The CLI gives each
// pipelines file its own reference namespace (ProjectNamespace), so GC from
// one project keeps what other projects sharing the store reference.
//
// # Runs and GC
//
// A run's new records are referenced only when it ends, so a collection in
// between would delete them. Engine.Run therefore holds the store lock
// (artifacts.StoreLock) shared for its whole length, and GC's caller holds
// it exclusively: they exclude each other across processes, while runs
// still share the store with each other.
package pipeline
