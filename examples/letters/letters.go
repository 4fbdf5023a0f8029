// Package letters is an example of a project that uses pipe as a library:
// its own stage kinds (package kinds), its own command (cmd/letters) built
// with pipe's pipecmd, and fingerprints of its own code, so that editing a
// kind reruns the stages of that kind and nothing else.
//
// This root package embeds the module's sources and its reach list; the
// command hands both to pipecmd. After changing which functions a kind
// calls, regenerate the list with `go generate` here.
package letters

import (
	"embed"
	"io/fs"
)

// sources are the module's go.mod and Go files, the code fingerprints are
// computed from. A new package directory needs its pattern here.
//
//go:embed go.mod *.go kinds/*.go
var sources embed.FS

// reach is what each kind's Run function reaches (see reachgen).
//
//go:generate go run ./internal/reachgen -o reach.json
//go:embed reach.json
var reach []byte

// Sources returns the module's embedded sources, for pipecmd.Program.
func Sources() fs.FS { return sources }

// Reach returns the generated reach list, for pipecmd.Program.
func Reach() []byte { return reach }
