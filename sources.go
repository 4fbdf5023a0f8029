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
// below the root. A package deeper than that must be added here;
// TestSourcesEmbedEveryPackage in cmd/pipe fails until it is, and
// fingerprinting a kind that reaches a missing package fails loudly.
//
//go:embed go.mod *.go */*.go */*/*.go
var sources embed.FS

// Sources returns the module's Go sources and go.mod, rooted at the module
// root. Test files are included; the fingerprinter ignores them.
func Sources() fs.FS { return sources }
