package pipecmd

import (
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/urfave/cli/v2"
)

// Global flags. They may be given before the command or after it
// (`pipe --profile ci run x` and `pipe run --profile ci x` are the same);
// flags may also follow the positional arguments (see normalizeArgs).
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the pipelines file (default: pipelines.yaml in the current directory or the nearest parent that has one)"},
		&cli.StringFlag{Name: "store", Usage: "store: a directory or s3://bucket/prefix (with PIPE_S3_ENDPOINT; cache in $PIPE_S3_CACHE, else .pipe/s3-cache/) (default: $PIPE_STORE, else .pipe/ beside the pipelines file)"},
		&cli.StringFlag{Name: "data-dir", Usage: "data directory for built-in stages' files (default: $PIPE_DATA_DIR, else data/ beside the pipelines file)"},
		&cli.StringFlag{Name: "profile", Aliases: []string{"p"}, Usage: "apply the named profile of the pipelines file"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "stages to run at once",
			DefaultText: "the number of CPUs, " + strconv.Itoa(runtime.NumCPU()) + " here",
			Action: func(_ *cli.Context, j int) error {
				if j < 1 {
					return fmt.Errorf("--jobs %d: give at least 1", j)
				}
				return nil
			}},
	}
}

// newApp builds the command-line app of p, writing to stdout and stderr.
func (p *Program) newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  p.name(),
		Usage: "run the stages of pipelines.yaml that changed",
		Description: "pipe keeps every stage output in a content-addressed store and runs a stage only when\n" +
			"its code, command, params, input bytes or data files changed.",
		Flags:           globalFlags(),
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		Commands: []*cli.Command{
			runCommand(), statusCommand(), dagCommand(), showCommand(), lineageCommand(),
			logsCommand(), gcCommand(), verifyCommand(), stagesCommand(p.StagesNote), versionCommand(),
			workerCommand(), // cmd_worker.go
		},
		Metadata: map[string]any{programKey: p},
	}
	app.Commands = append(app.Commands, diffCommand()...) // pipe metrics diff, pipe params diff (cmd_diff.go)
	for _, c := range p.Commands {
		// A copy: the global flags are added to it below, and p may build
		// its app more than once.
		cc := *c
		cc.Flags = append([]cli.Flag(nil), c.Flags...)
		app.Commands = append(app.Commands, &cc)
	}
	for _, c := range app.Commands {
		c.Flags = append(c.Flags, globalFlags()...)
	}
	return app
}

// FlagString returns a global flag (--file, --store, --data-dir, --profile)
// from the innermost context that set it, for a program's extra commands.
func FlagString(c *cli.Context, name string) string {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx.String(name)
		}
	}
	return ""
}

func flagInt(c *cli.Context, name string) int {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx.Int(name)
		}
	}
	return 0
}
