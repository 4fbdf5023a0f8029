package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/pipeline"
)

func dagCommand() *cli.Command {
	return &cli.Command{
		Name:      "dag",
		Usage:     "print the stage graph (indented by depth, with each stage's inputs), or Graphviz with --dot",
		ArgsUsage: "[PIPELINE|STAGE]...",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "dot", Usage: "print Graphviz dot (pipe dag --dot | dot -Tsvg > dag.svg)"}},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			targets, err := ws.file.Targets(c.Args().Slice())
			if err != nil {
				return err
			}
			names := ws.file.Closure(targets)
			if c.Bool("dot") {
				printDot(c.App.Writer, ws.file, names)
				return nil
			}
			printASCII(c.App.Writer, ws.file, names)
			return nil
		},
	}
}

// depths gives each stage the length of the longest path from a source.
func depths(f *pipeline.File, names []string) map[string]int {
	d := map[string]int{}
	for _, n := range names { // dependency order: upstream depths are known
		for _, u := range f.Stages[n].Upstream() {
			d[n] = max(d[n], d[u]+1)
		}
	}
	return d
}

func printASCII(w io.Writer, f *pipeline.File, names []string) {
	d := depths(f, names)
	width := 0
	for _, n := range names {
		width = max(width, 2*d[n]+len(n))
	}
	for _, n := range names {
		s := f.Stages[n]
		label := strings.Repeat("  ", d[n]) + n
		line := fmt.Sprintf("%-*s  %-10s", width, label, s.KindName())
		var ins []string
		for _, in := range s.Inputs {
			refs := make([]string, len(in.Refs))
			for i, r := range in.Refs {
				refs[i] = r.String()
			}
			ins = append(ins, in.Name+" ← "+strings.Join(refs, ", "))
		}
		if len(ins) > 0 {
			line += "  " + strings.Join(ins, "; ")
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

func printDot(w io.Writer, f *pipeline.File, names []string) {
	fmt.Fprintln(w, "digraph pipe {")
	fmt.Fprintln(w, "  rankdir=LR;")
	fmt.Fprintln(w, "  node [shape=box, fontname=\"monospace\"];")
	for _, n := range names {
		fmt.Fprintf(w, "  %q [label=%q];\n", n, n+"\n"+f.Stages[n].KindName())
	}
	for _, n := range names {
		for _, in := range f.Stages[n].Inputs {
			for _, r := range in.Refs {
				fmt.Fprintf(w, "  %q -> %q [label=%q];\n", r.Stage, n, r.Output+" → "+in.Name)
			}
		}
	}
	fmt.Fprintln(w, "}")
}
