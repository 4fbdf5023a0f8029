package pipecmd

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
		Description: "Stages expanded from one template (a matrix) are drawn as one node with their matrix values;\n" +
			"--full draws every stage.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dot", Usage: "print Graphviz dot (pipe dag --dot | dot -Tsvg > dag.svg)"},
			&cli.BoolFlag{Name: "full", Usage: "one node per stage instead of one per template"},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			names, err := expandTargets(ws.file, c.Args().Slice())
			if err != nil {
				return err
			}
			targets, err := ws.file.Targets(names)
			if err != nil {
				return err
			}
			g := graphOf(ws.file, ws.file.Closure(targets), !c.Bool("full"))
			if c.Bool("dot") {
				printDot(c.App.Writer, g)
				return nil
			}
			printASCII(c.App.Writer, g, !c.Bool("full"))
			return nil
		},
	}
}

// depths gives each node the length of the longest path from a source.
func depths(g *dagGraph) map[string]int {
	d := map[string]int{}
	for _, n := range g.order { // dependency order: upstream depths are known
		for _, u := range g.nodes[n].upstream() {
			if u != n {
				d[n] = max(d[n], d[u]+1)
			}
		}
	}
	return d
}

// maxRefs is how many references of one input the collapsed graph lists
// before it says how many more there are.
const maxRefs = 4

func printASCII(w io.Writer, g *dagGraph, short bool) {
	d := depths(g)
	width := 0
	for _, n := range g.order {
		width = max(width, 2*d[n]+len(n))
	}
	for _, n := range g.order {
		nd := g.nodes[n]
		label := strings.Repeat("  ", d[n]) + n
		line := fmt.Sprintf("%-*s  %-10s", width, label, nd.kind)
		if m := nd.matrixText(); m != "" {
			line += "  " + m
		}
		var ins []string
		for _, in := range nd.inputNames {
			refs := nd.inputs[in]
			if short && len(refs) > maxRefs+1 {
				refs = append(refs[:maxRefs:maxRefs], fmt.Sprintf("… %d more", len(refs)-maxRefs))
			}
			ins = append(ins, in+" ← "+strings.Join(refs, ", "))
		}
		if len(ins) > 0 {
			line += "  " + strings.Join(ins, "; ")
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

func printDot(w io.Writer, g *dagGraph) {
	fmt.Fprintln(w, "digraph pipe {")
	fmt.Fprintln(w, "  rankdir=LR;")
	fmt.Fprintln(w, "  node [shape=box, fontname=\"monospace\"];")
	for _, n := range g.order {
		nd := g.nodes[n]
		label := n + "\n" + nd.kind
		if m := nd.matrixText(); m != "" {
			label += "\n" + m
		}
		fmt.Fprintf(w, "  %q [label=%q];\n", n, label)
	}
	for _, n := range g.order {
		nd := g.nodes[n]
		for _, in := range nd.inputNames {
			for _, r := range nd.inputs[in] {
				if ref, ok := pipeline.ParseRef(r); ok {
					fmt.Fprintf(w, "  %q -> %q [label=%q];\n", ref.Stage, n, ref.Output+" → "+in)
				}
			}
		}
	}
	fmt.Fprintln(w, "}")
}
