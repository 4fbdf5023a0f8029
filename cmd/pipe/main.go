// Command pipe runs the stages of pipelines.yaml that changed, keeping every
// artifact in a content-addressed store. Run `pipe help` for the commands;
// the README documents the file format.
//
// The commands live in package pipecmd; this program gives them the
// paper's stage kinds, the module's embedded sources for fingerprints, the
// OpenBLAS backend and the fetch-data command.
package main

import (
	"github.com/urfave/cli/v2"

	pipe "github.com/diffusion-dfl/pipe"
	"github.com/diffusion-dfl/pipe/cmd/pipe/pipecmd"
	"github.com/diffusion-dfl/pipe/stages"
)

// version is the program's version, recorded in every run record. Release
// builds set it with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	program().Main()
}

// program is the paper's pipe command.
func program() *pipecmd.Program {
	return &pipecmd.Program{
		Name:       "pipe",
		Version:    version,
		Register:   stages.Register,
		Sources:    pipe.Sources(),
		Reach:      pipe.Reach(),
		Backend:    blasBackend{},
		EnsureData: ensureData,
		StagesNote: "Sections cited as synthetic.md §N, power.md §N or portfolio.md §N are in docs/ of the pipe repository\n" +
			"(docs/power.md, heading 7.5 for power.md §7.5; docs/README.md explains them).",
		Commands: []*cli.Command{fetchCommand()},
	}
}
