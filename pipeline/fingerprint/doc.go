// Package fingerprint computes the implementation fingerprint of a built-in
// stage kind from the Go sources of the module.
//
// A kind's Run function is a named package-level function. Starting from it,
// the fingerprinter finds every package-level declaration the function can
// reach, following identifiers in the same package, selectors into other
// packages of the same module (cross-package reachability, not whole-package
// hashing), every method of a reachable type, and, conservatively, every
// method of any loaded package whose name appears in a selector x.M whose x
// is not a package (an interface call may land on any of them). The init
// functions of every reached package are included, since they run before
// Run does.
//
// Each reached declaration is encoded position-free: the AST is walked by
// reflection, writing node types, identifiers, literals and operators but no
// positions and no comments. So reformatting, re-wrapping lines, editing
// comments, moving a declaration to another file and changing unreached
// declarations leave the fingerprint alone, while any change to code the
// kind can execute changes it. (A go/printer rendering would keep the
// source's line breaks, so re-wrapping an argument list would change it.)
//
// The fingerprint also covers the version of every external module that
// reached code imports (from the binary's build information, or go.mod), the
// Go toolchain version, and the kind's manual Version salt.
//
// Parsing the sources takes tens of milliseconds, so a program caches the
// results under SourceDigest (pipeline.CacheFingerprints keeps them in the
// store): an unchanged binary never parses its sources again.
//
// Limitations: package-level variables that no reached code names are not
// included even if their initializers have side effects; files embedded with
// //go:embed are not hashed; a cgo preamble is covered because files that
// import "C" are hashed whole.
package fingerprint
