// Package pipe is the root of the pipe module. It holds only the module's
// own Go sources, embedded so that the running program can fingerprint its
// built-in stage kinds (see package pipeline/fingerprint): a kind's
// fingerprint is computed from the code reachable from its Run function,
// and that code must be available to a binary installed anywhere.
package pipe

import (
	"embed"
	"io/fs"
)

// The patterns cover go.mod and every package directory up to three levels
// below the root, Go and assembly, and the Go of packages four levels down
// (cmd/pipe/pipecmd). Below the root they skip examples/ ([^e]*): its
// directories are modules of their own, which embed their own sources. A
// package deeper than that, or assembly in another directory, must be
// added here (a pattern that matches no file
// does not compile); TestSourcesEmbedEveryPackage in cmd/pipe fails until
// it is, and fingerprinting a kind that reaches a missing package fails
// loudly.
//
//go:embed go.mod *.go */*.go [^e]*/*/*.go [^e]*/*/*.s [^e]*/*/*/*.go
var sources embed.FS

// reach is the generated list of what each built-in kind's Run function
// reaches on the type-checked program (internal/reachgen); regenerate it
// after changing code with `go generate` at the module root.
// TestReachListFresh in internal/reachgen fails while it is stale.
//
//go:generate go run ./internal/reachgen -o reach.json
//go:embed reach.json
var reach []byte

// Sources returns the module's Go and assembly sources and go.mod, rooted
// at the module root. Test files are included; the fingerprinter ignores
// them.
func Sources() fs.FS { return sources }

// Reach returns the generated reach list, reach.json, for
// fingerprint.Config.Reach.
func Reach() []byte { return reach }
