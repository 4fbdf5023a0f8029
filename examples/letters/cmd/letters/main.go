// Command letters is pipe with the kinds of this example module: run
// `letters run` beside pipelines.yaml, `letters stages` for the kinds.
package main

import (
	"example.com/letters"
	"example.com/letters/kinds"

	"github.com/diffusion-dfl/pipe/cmd/pipe/pipecmd"
)

func main() {
	(&pipecmd.Program{
		Name:     "letters",
		Register: kinds.Register,
		Sources:  letters.Sources(),
		Reach:    letters.Reach(),
	}).Main()
}
