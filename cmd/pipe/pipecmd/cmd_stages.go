package pipecmd

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/kind"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// stagesCommand documents the registered kinds; note (Program.StagesNote)
// is its description and heads its output.
func stagesCommand(note string) *cli.Command {
	return &cli.Command{
		Name:        "stages",
		Usage:       "document the built-in stage kinds: what each does, its params, inputs and outputs",
		ArgsUsage:   "[KIND|GLOB]...",
		Description: note,
		Action: func(c *cli.Context) error {
			p := programOf(c)
			reg, err := p.registry()
			if err != nil {
				return err
			}
			kinds, err := selectKinds(reg.Kinds(), c.Args().Slice())
			if err != nil {
				return err
			}
			if len(kinds) == 0 {
				fmt.Fprintln(c.App.Writer, "no built-in stage kinds are registered in this build")
			} else if note != "" {
				fmt.Fprintf(c.App.Writer, "%s\n\n", note)
			}
			for i, k := range kinds {
				if i > 0 {
					fmt.Fprintln(c.App.Writer)
				}
				printKind(c.App.Writer, k)
			}
			return nil
		},
	}
}

// printKind writes the user documentation of one kind.
func printKind(w io.Writer, k *kind.Kind) {
	fmt.Fprintf(w, "kind: %s\n", k.Name)
	if k.Doc != "" {
		fmt.Fprintf(w, "%s\n", indentText(k.Doc, "  "))
	}
	if len(k.Params) > 0 {
		fmt.Fprintln(w, "  params:")
		for _, p := range k.Params {
			def := "required"
			if p.Default != nil {
				def = fmt.Sprintf("default %v", p.Default)
			}
			fmt.Fprintf(w, "    %-16s %-16s %s", p.Name, p.Type, def)
			if len(p.Enum) > 0 {
				fmt.Fprintf(w, "; one of %s", strings.Join(p.Enum, ", "))
			}
			if p.Range != nil {
				fmt.Fprintf(w, "; %s", p.Range)
			}
			fmt.Fprintln(w)
			if p.Doc != "" {
				fmt.Fprintf(w, "%s\n", indentText(p.Doc, "        "))
			}
		}
	}
	printPorts(w, "inputs", k.Inputs)
	printPorts(w, "outputs", k.Outputs)
}

func printPorts(w io.Writer, title string, ports []kind.PortSpec) {
	if len(ports) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s:\n", title)
	for _, p := range ports {
		var tags []string
		if p.Optional {
			tags = append(tags, "optional")
		}
		if p.Many {
			tags = append(tags, "fan-in: a list or glob of stage.output")
		}
		words := []string{fmt.Sprintf("    %-16s", p.Name)}
		if p.Doc != "" {
			words = append(words, p.Doc)
		}
		if len(tags) > 0 {
			words = append(words, "("+strings.Join(tags, "; ")+")")
		}
		fmt.Fprintln(w, strings.Join(words, " "))
	}
}

func indentText(s, indent string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = indent + l
	}
	return strings.Join(lines, "\n")
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the program's version",
		Action: func(c *cli.Context) error {
			p := programOf(c)
			fmt.Fprintf(c.App.Writer, "%s %s (%s)\n", p.name(), p.version(), goVersion())
			return nil
		},
	}
}

// selectKinds keeps the kinds named (or matched by a glob) in args; none
// keeps all. A name that matches nothing is an error with a did-you-mean.
func selectKinds(kinds []*kind.Kind, args []string) ([]*kind.Kind, error) {
	if len(args) == 0 {
		return kinds, nil
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	var out []*kind.Kind
	for _, a := range args {
		n := len(out)
		for _, k := range kinds {
			if ok, _ := path.Match(a, k.Name); ok || a == k.Name {
				out = append(out, k)
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("no built-in kind %q%s (kinds: %s)", a, pipeline.Suggest(a, names), strings.Join(names, ", "))
		}
	}
	return out, nil
}
