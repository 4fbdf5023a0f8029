// Command reachgen writes reach.json at the module root: for each built-in
// stage kind, the module declarations its Run function can reach and the
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
	"flag"
	"fmt"
	"os"

	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/stages"
)

func main() {
	out := flag.String("o", "reach.json", "output file")
	dir := flag.String("dir", ".", "module root")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "reachgen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	roots, err := kindRoots()
	if err != nil {
		return err
	}
	b, err := Generate(dir, roots)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// kindRoots returns the Run function of every registered built-in kind.
func kindRoots() ([]string, error) {
	reg := pipeline.NewRegistry()
	if err := stages.Register(reg); err != nil {
		return nil, fmt.Errorf("register kinds: %w", err)
	}
	var roots []string
	for _, k := range reg.Kinds() {
		name, err := k.RunName()
		if err != nil {
			return nil, fmt.Errorf("kind %s: %w", k.Name, err)
		}
		roots = append(roots, name)
	}
	return roots, nil
}
