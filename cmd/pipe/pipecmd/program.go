package pipecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// Program is one pipe-based command: the engine's commands (run, status,
// dag, show, ...) over the stage kinds and sources of the project that
// builds it. Only Register and Sources are needed; the rest is optional.
type Program struct {
	// Name is the program's name in help and error messages; "" is "pipe".
	Name string
	// Version is recorded in every run record; "" or "dev" reports the
	// module version of an installed binary, else "dev".
	Version string
	// Register adds the project's built-in kinds to a registry (nil: shell
	// stages only).
	Register func(*pipeline.Registry) error
	// Sources holds the project module's go.mod at its root and the Go
	// sources of its packages, embedded (see the root package pipe's
	// Sources): a kind's fingerprint is computed from them.
	Sources fs.FS
	// Reach is the generated reach list of the kinds (reach.json, see the
	// package doc), or nil for the syntactic over-approximation.
	Reach []byte
	// Backend, if set, selects the numeric backend built-in stages run on
	// and names it in run records.
	Backend Backend
	// EnsureData, if set, is called before a run with the data directory
	// and the relative paths of the data files the stages to run declare
	// (Kind.Files); it may download the missing ones, or fail saying how to
	// provide them.
	EnsureData func(ctx context.Context, dataDir string, paths []string, log io.Writer) error
	// StagesNote is printed above the kind list of `stages` (where the
	// docs cite their references, say); "" prints nothing.
	StagesNote string
	// Commands are the project's extra commands, beside the engine's.
	Commands []*cli.Command
}

// Backend is a numeric backend built-in stages can run on (a BLAS, say).
// Results of different backends agree to rounding only, so each run
// record names the backend and status warns when cached results came from
// another one.
type Backend interface {
	// Use selects the backend for this process before a run or status;
	// builtin says whether the stages to run include built-in kinds, and w
	// receives a warning worth reading (a fast library that did not load).
	Use(w io.Writer, builtin bool) error
	// Describe names the backend in use, for run records.
	Describe() string
}

// programKey is where the Program rides in cli.App.Metadata, so that each
// command's action reaches it from its cli.Context.
const programKey = "pipecmd.Program"

// programOf returns the Program the running app was built from.
func programOf(c *cli.Context) *Program {
	return c.App.Metadata[programKey].(*Program)
}

// Main runs the program on the process's arguments and exits with its
// code; a project's main function is usually this one call.
func (p *Program) Main() {
	os.Exit(p.Run(os.Args, os.Stdout, os.Stderr))
}

// Run executes the command line and returns the exit code: 0, 1 for any
// failure, 130 after an interrupt (the shell convention for SIGINT).
func (p *Program) Run(args []string, stdout, stderr io.Writer) int {
	app := p.newApp(stdout, stderr)
	args, err := normalizeArgs(app, args)
	var unknown errUnknownCommand
	if errors.As(err, &unknown) {
		fmt.Fprintf(stderr, "%s: %v\n\n", p.name(), err)
		_ = p.newApp(stderr, stderr).Run([]string{p.name(), "--help"})
		return 1
	}
	if err == nil {
		err = app.Run(args)
	}
	var ex exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ex):
		if ex.msg != "" {
			fmt.Fprintln(stderr, p.name()+":", ex.msg)
		}
		return ex.code
	default:
		fmt.Fprintln(stderr, p.name()+":", err)
		return 1
	}
}

func (p *Program) name() string {
	if p.Name == "" {
		return "pipe"
	}
	return p.Name
}

// registry returns the program's built-in kinds.
func (p *Program) registry() (*pipeline.Registry, error) {
	reg := pipeline.NewRegistry()
	if p.Register == nil {
		return reg, nil
	}
	if err := p.Register(reg); err != nil {
		return nil, fmt.Errorf("register kinds: %w", err)
	}
	return reg, nil
}

// exitCode ends the program with a code after the command printed its own
// report.
type exitCode struct {
	code int
	msg  string
}

func (e exitCode) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// version is Version, or the module version of an installed binary.
func (p *Program) version() string {
	if p.Version != "" && p.Version != "dev" {
		return p.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func goVersion() string { return runtime.Version() }
