// Package reachgen writes a module's reach list (reach.json): for each
// built-in stage kind, the module declarations its Run function can reach
// and the external modules that code calls into. It runs at `go generate`
// time, where the toolchain is available; an installed program only reads
// the embedded list and hashes the named declarations from its embedded
// sources (package pipeline/fingerprint). Any module that defines kinds
// can generate its own list with Main (see examples/letters).
//
// Reachability is computed on the type-checked program: go/packages loads
// the module, go/ssa builds its functions, and rapid type analysis (RTA)
// follows static calls and the dynamic calls that can land on types
// converted to interfaces in reached code. Functions named in reached code
// without being called (callbacks handed to another module's code, whose
// bodies are not analysed) and the initializers of package-level variables
// read by reached code are added as further roots until nothing new is
// found. The analysis runs for GOOS=linux GOARCH=amd64; fingerprinting at
// run time hashes every build-tagged variant of a reached name, so other
// platforms are covered conservatively.
package reachgen
