// Command reachgen writes reach.json at the module root with
// pipeline/fingerprint/reachgen (which documents the analysis): for each
// built-in stage kind of package stages, the module declarations its Run function can reach and the
// external modules that code calls into. It runs at `go generate` time,
// where the toolchain is available; the installed pipe binary only reads
// the embedded list and hashes the named declarations from its embedded
// sources (package pipeline/fingerprint).
//
// Reachability is computed on the type-checked program: go/packages loads
// the module, go/ssa builds its functions, and rapid type analysis (RTA)
// follows static calls and the dynamic calls that can land on types
// converted to interfaces in reached code. Functions named in reached code
// without being called (callbacks handed to another module's code, whose
// bodies are not analysed) and the initializers of package-level variables
// read by reached code are added as further roots until nothing new is found.
//
// The analysis runs for GOOS=linux GOARCH=amd64, so the build-tagged
// variants reached are those of that platform; fingerprinting at run time
// hashes every variant of a reached name, so other platforms are covered
// conservatively.
//
// Usage (from the module root, see the go:generate line in sources.go):
//
//	go run ./internal/reachgen -o reach.json
package main

import (
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint/reachgen"
	"github.com/diffusion-dfl/pipe/stages"
)

func main() { reachgen.Main(stages.Register) }

// kindRoots returns the Run function of every built-in kind of stages.
func kindRoots() ([]string, error) { return reachgen.Roots(stages.Register) }
