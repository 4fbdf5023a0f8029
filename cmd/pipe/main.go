// Command pipe runs the stages of pipelines.yaml that changed, keeping every
// artifact in a content-addressed store. Run `pipe help` for the commands;
// the README documents the file format.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// version is the program's version, recorded in every run record. Release
// builds set it with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code: 0, 1 for any
// failure, 130 after an interrupt (the shell convention for SIGINT).
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, err := normalizeArgs(app, args)
	var unknown errUnknownCommand
	if errors.As(err, &unknown) {
		fmt.Fprintf(stderr, "pipe: %v\n\n", err)
		_ = newApp(stderr, stderr).Run([]string{"pipe", "--help"})
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
			fmt.Fprintln(stderr, "pipe:", ex.msg)
		}
		return ex.code
	default:
		fmt.Fprintln(stderr, "pipe:", err)
		return 1
	}
}

// exitCode ends the program with a code after the command printed its own
// report.
type exitCode struct {
	code int
	msg  string
}

func (e exitCode) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// programVersion is version, or the module version of an installed binary.
func programVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

func goVersion() string { return runtime.Version() }
