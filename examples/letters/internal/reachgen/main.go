// Command reachgen writes reach.json for the kinds of this module; run it
// with `go generate` at the module root.
package main

import (
	"example.com/letters/kinds"

	"github.com/diffusion-dfl/pipe/pipeline/fingerprint/reachgen"
)

func main() { reachgen.Main(kinds.Register) }
