package pipecmd

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// The cli package stops reading flags at the first positional argument, so
// `pipe run paper-tables --jobs 2` would take "--jobs" for a target. Like
// git and go, pipe accepts flags anywhere: normalizeArgs moves every flag
// (global or the command's, with its value) ahead of the positional
// arguments before cli parses them. "--" ends flag parsing; what follows
// stays positional.

// errUnknownCommand is returned for a command name the app does not have.
type errUnknownCommand struct {
	name, suggestion string
}

func (e errUnknownCommand) Error() string {
	return fmt.Sprintf("unknown command %q%s", e.name, e.suggestion)
}

// normalizeArgs returns args (program name first) with the command's flags
// before its positional arguments. `pipe help [CMD]` becomes
// `pipe [CMD] --help`. An unknown command is an errUnknownCommand.
func normalizeArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	out := []string{args[0]}
	rest := args[1:]
	// Global flags before the command.
	for len(rest) > 0 && isFlag(rest[0]) {
		n := flagArity(app.Flags, rest)
		out = append(out, rest[:n]...)
		rest = rest[n:]
	}
	if len(rest) == 0 || rest[0] == "--" {
		return append(out, rest...), nil
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			return normalizeArgs(app, append(append([]string{args[0]}, rest[1:]...), "--help"))
		}
		return append(out, "--help"), nil
	}
	cmd := app.Command(name)
	if cmd == nil {
		return nil, errUnknownCommand{name: name, suggestion: pipeline.Suggest(name, commandNames(app))}
	}
	flags, pos := splitFlags(cmd.Flags, rest[1:])
	out = append(out, name)
	out = append(out, flags...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out, nil
}

// splitFlags separates flags (with their values) from positional
// arguments; everything after "--" is positional.
func splitFlags(known []cli.Flag, args []string) (flags, pos []string) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--":
			return flags, append(pos, args[1:]...)
		case isFlag(a):
			n := flagArity(known, args)
			flags = append(flags, args[:n]...)
			args = args[n:]
		default:
			pos = append(pos, a)
			args = args[1:]
		}
	}
	return flags, pos
}

// isFlag reports whether a looks like a flag ("-x", "--name", "--name=v").
func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' && a != "--" }

// flagArity returns how many of args the flag args[0] takes: 2 when it is
// a known flag with a value and the value is not attached with "=", else 1.
func flagArity(known []cli.Flag, args []string) int {
	name := strings.TrimLeft(args[0], "-")
	if strings.Contains(name, "=") || len(args) < 2 {
		return 1
	}
	for _, f := range known {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if dg, ok := f.(cli.DocGenerationFlag); ok && dg.TakesValue() {
				return 2
			}
			return 1
		}
	}
	return 1
}

func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.Commands {
		names = append(names, c.Names()...)
	}
	return append(names, "help")
}
