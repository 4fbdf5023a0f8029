package pipecmd

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show an output of a stage's latest run: schema, row count and first rows",
		ArgsUsage: "STAGE[.OUTPUT]",
		Description: "Shows the result the current file and --profile use (a ci result is never shown as the default one).\n" +
			"--out writes the output to a file: Arrow IPC (.arrow), CSV (.csv), JSON rows (.json) or Markdown (.md).",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Aliases: []string{"n"}, Value: 5, Usage: "rows to show (the table display shows at most 10)"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
			&cli.StringFlag{Name: "cols", Aliases: []string{"c"}, Usage: "show only these columns (comma-separated)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the output to `FILE` (format from its extension: .arrow, .csv, .json, .md)"},
		},
		Action: showAction,
	}
}

// artifactJSON describes one output for `pipe show --json`.
type artifactJSON struct {
	Stage    string            `json:"stage"`
	Output   string            `json:"output"`
	Profile  string            `json:"profile"` // "default" or the profile's name
	Note     string            `json:"note,omitempty"`
	Backend  string            `json:"backend,omitempty"` // numeric backend of the run
	Digest   string            `json:"digest"`
	Path     string            `json:"path"` // the object's file in the store (read-only)
	Bytes    int               `json:"bytes"`
	Format   string            `json:"format"` // "arrow", or "bytes" for other files
	Schema   []fieldJSON       `json:"schema,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
	Rows     int64             `json:"rows"`
	Head     []map[string]any  `json:"head,omitempty"`
	Text     string            `json:"text,omitempty"` // head of a non-Arrow output
}

type fieldJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func showAction(c *cli.Context) error {
	ws, err := openWorkspace(c)
	if err != nil {
		return err
	}
	if c.NArg() != 1 {
		return fmt.Errorf("show takes one STAGE or STAGE.OUTPUT")
	}
	stage, output, err := splitTarget(ws.file, c.Args().First())
	if err != nil {
		return err
	}
	res, err := ws.resultOf(c.Context, stage)
	if err != nil {
		return err
	}
	rec := res.rec
	outs := []string{output}
	if output == "" {
		outs = slices.Sorted(maps.Keys(rec.Outputs))
	}
	var all []*artifactJSON
	for _, o := range outs {
		d, ok := rec.Outputs[o]
		if !ok {
			return fmt.Errorf("stage %s has no output %q (outputs: %s)", stage, o, strings.Join(slices.Sorted(maps.Keys(rec.Outputs)), ", "))
		}
		b, err := ws.store.Get(c.Context, d)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", stage, o, err)
		}
		if out := c.String("out"); out != "" {
			if len(outs) != 1 {
				return fmt.Errorf("--out writes one output; name it: %s.OUTPUT (outputs: %s)", stage, strings.Join(outs, ", "))
			}
			return writeOut(c, out, b, splitCols(c.String("cols")))
		}
		a, table, err := describeCols(stage, o, d, b, c.Int("rows"), splitCols(c.String("cols")))
		if err != nil {
			return fmt.Errorf("%s.%s: %w", stage, o, err)
		}
		path, err := ws.store.ObjectFile(c.Context, d)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", stage, o, err)
		}
		a.Profile, a.Note, a.Path = profileLabel(ws.file.Profile), res.note, path
		all = append(all, a)
		a.Backend = rec.Backend
		if !c.Bool("json") {
			printArtifact(c.App.Writer, a, table)
		}
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if len(all) == 1 {
			return enc.Encode(all[0])
		}
		return enc.Encode(all)
	}
	return nil
}

func printArtifact(w io.Writer, a *artifactJSON, table string) {
	fmt.Fprintf(w, "%s.%s  object %s  %d bytes", a.Stage, a.Output, a.Digest, a.Bytes)
	if a.Profile != "" {
		fmt.Fprintf(w, "  profile %s", a.Profile)
	}
	fmt.Fprintln(w)
	if a.Note != "" {
		fmt.Fprintf(w, "note: %s\n", a.Note)
	}
	if a.Backend != "" {
		fmt.Fprintf(w, "backend: %s\n", a.Backend)
	}
	if a.Format == "bytes" {
		fmt.Fprintf(w, "not an Arrow table; %d lines; first lines:\n%s", a.Rows, a.Text)
		if a.Text != "" && !strings.HasSuffix(a.Text, "\n") {
			fmt.Fprintln(w)
		}
		return
	}
	fmt.Fprintf(w, "rows: %d\nschema:\n", a.Rows)
	for _, f := range a.Schema {
		fmt.Fprintf(w, "  %-24s %s\n", f.Name, f.Type)
	}
	for _, k := range slices.Sorted(maps.Keys(a.Metadata)) {
		fmt.Fprintf(w, "metadata: %s = %s\n", k, a.Metadata[k])
	}
	if table != "" {
		fmt.Fprintf(w, "head:\n%s\n", table)
	}
}
