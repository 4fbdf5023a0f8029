package pipecmd

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"

	"github.com/diffusion-dfl/pipe/pipeline"
)

func lineageCommand() *cli.Command {
	return &cli.Command{
		Name:      "lineage",
		Usage:     "print the provenance chain of a stage's latest result back to its sources",
		ArgsUsage: "STAGE[.OUTPUT]",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the chain as JSON"}},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return fmt.Errorf("lineage takes one STAGE or STAGE.OUTPUT")
			}
			stage, output, err := splitTarget(ws.file, c.Args().First())
			if err != nil {
				return err
			}
			res, err := ws.resultOf(c.Context, stage)
			if err != nil {
				return err
			}
			root, err := pipeline.Lineage(c.Context, ws.store, ws.file, res.rec, output)
			if err != nil {
				return err
			}
			if res.note != "" {
				fmt.Fprintf(c.App.ErrWriter, "note: %s\n", res.note)
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(lineageJSON(root))
			}
			printLineage(c.App.Writer, root, "", "")
			return nil
		},
	}
}

// lineageJSON turns the chain into plain maps for encoding.
func lineageJSON(n *pipeline.LineageNode) map[string]any {
	r := n.Record
	if n.Repeat {
		return map[string]any{"stage": r.Stage, "output": n.Output, "key": r.Key, "repeat": true}
	}
	out := map[string]any{"stage": r.Stage, "output": n.Output, "key": r.Key, "kind": r.Kind, "profile": r.Profile,
		"params": r.Params, "outputs": r.Outputs, "files": r.Files, "end": r.End, "duration_sec": r.DurationSec, "backend": r.Backend}
	ins := map[string]any{}
	for name, p := range n.Inputs {
		if p == nil {
			ins[name] = map[string]any{"digest": r.Inputs[name], "producer": nil}
			continue
		}
		ins[name] = lineageJSON(p)
	}
	out["inputs"] = ins
	return out
}

func printLineage(w io.Writer, n *pipeline.LineageNode, label, indent string) {
	r := n.Record
	name := r.Stage
	if n.Output != "" {
		name += "." + n.Output
	}
	if n.Repeat {
		fmt.Fprintf(w, "%s%s%s  [key %s, shown above]\n", indent, label, name, artifacts.Digest(r.Key).Short())
		return
	}
	fmt.Fprintf(w, "%s%s%s  [%s, key %s, %s, %.2fs]\n", indent, label, name, r.Kind, artifacts.Digest(r.Key).Short(), r.End.Local().Format("2006-01-02 15:04:05"), r.DurationSec)
	sub := indent + "  "
	if len(r.Params) > 2 {
		fmt.Fprintf(w, "%s  params %s\n", sub, r.Params)
	}
	if r.Backend != "" {
		fmt.Fprintf(w, "%s  backend %s\n", sub, r.Backend)
	}
	for _, f := range slices.Sorted(maps.Keys(r.Files)) {
		fmt.Fprintf(w, "%s  file %s %s\n", sub, f, r.Files[f].Short())
	}
	names := slices.Sorted(maps.Keys(n.Inputs))
	for _, in := range names {
		p := n.Inputs[in]
		if p == nil {
			fmt.Fprintf(w, "%s└ %s ← object %s (producer unknown: removed by gc?)\n", sub, in, r.Inputs[in].Short())
			continue
		}
		printLineage(w, p, "└ "+in+" ← ", sub)
	}
}
