// Package pipecmd is the pipe command line as a library: run, status, dag,
// show, lineage, logs, gc, verify, stages, version and the diffs, over the
// stage kinds of whichever project builds it. The paper's own program,
// cmd/pipe, is a few lines that fill in a Program; another project's is
// the same few lines with its own kinds:
//
//	func main() {
//		(&pipecmd.Program{
//			Name:     "wc",
//			Register: kinds.Register,     // its kinds
//			Sources:  wordcount.Sources(), // its embedded Go sources
//			Reach:    wordcount.Reach(),   // its generated reach list
//		}).Main()
//	}
//
// # Fingerprints of another module's kinds
//
// A built-in stage reruns when the code its Run function reaches changes.
// The program finds that code in Sources: the project's go.mod and Go
// files, embedded with a //go:embed line in the module's root package, so
// that an installed binary can fingerprint itself anywhere. Reach is
// optional and sharpens the fingerprint to what each kind's Run reaches on
// the type-checked program; without it, reachability is over-approximated
// by name. A module writes its list with a three-line generator command
// calling pipeline/fingerprint/reachgen.Main with its registration, run by
// a //go:generate line beside the embed (examples/letters does both).
//
// Code of other modules (pipe's own packages among them) enters the
// fingerprint by module version, as the build records it.
//
// # What a Program adds
//
// Backend names the numeric backend in run records and selects it before
// a run; EnsureData may download the data files the stages declare;
// Commands adds the project's own commands (the paper's fetch-data). The
// Program reaches each command's action through cli.App.Metadata, so two
// programs in one process do not share state.
package pipecmd
