package pipecmd

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// sideUsage explains how a side of a comparison is written.
const sideUsage = "A side is a profile name (default, ci, paper) or comma-separated key=value pairs: " +
	"profile=NAME, file=PIPELINES.yaml (another param set), store=DIR (another store's runs); " +
	"what a side leaves out comes from the global flags."

// diffCommand is `pipe metrics diff` and `pipe params diff`: two commands
// whose first argument is the verb diff (a plain argument rather than a
// subcommand, so the command's flags may stand anywhere, as elsewhere).
func diffCommand() []*cli.Command {
	return []*cli.Command{{
		Name:      "metrics",
		Usage:     "compare metrics between two profiles, param sets or stored runs: pipe metrics diff A B",
		ArgsUsage: "diff SIDE_A SIDE_B",
		Description: "Reads STAGE.OUTPUT (default tables.table1) of the run each side uses, as `pipe show` finds it\n" +
			"(an Arrow table, or a CSV file with a header), joins the rows on --keys and prints every --values\n" +
			"column of both sides with the change B − A; rows with equal values are left out unless --all.\n" + sideUsage,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "tables.table1", Usage: "the `STAGE.OUTPUT` to compare"},
			&cli.StringFlag{Name: "keys", Value: "dataset,method,metric", Usage: "columns that identify a row"},
			&cli.StringFlag{Name: "values", Value: "mean", Usage: "numeric columns to compare"},
			&cli.BoolFlag{Name: "all", Usage: "also list rows whose values are equal"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON rows"},
		},
		Action: verb("diff", metricsDiffAction),
	}, {
		Name:      "params",
		Usage:     "compare stage params between two profiles or param sets: pipe params diff A B",
		ArgsUsage: "diff SIDE_A SIDE_B",
		Description: "Resolves both sides' pipelines files (profile overlays and kind defaults applied) and lists\n" +
			"every param that differs, and the stages only one side has.\n" + sideUsage,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "stages", Usage: "compare only stages matching these comma-separated globs"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON rows"},
		},
		Action: verb("diff", paramsDiffAction),
	}}
}

// verb runs action when the command's first argument is want, with the
// sides as the remaining arguments.
func verb(want string, action func(c *cli.Context, args []string) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().First() != want {
			return fmt.Errorf("%s: unknown action %q; use `pipe %s %s SIDE_A SIDE_B`", c.Command.Name, c.Args().First(), c.Command.Name, want)
		}
		return action(c, c.Args().Tail())
	}
}

// side is one side of a comparison: a pipelines file under a profile, with
// a store.
type side struct {
	label, file, profile, store string
}

// parseSide reads a SIDE argument; unset parts come from the global flags.
func parseSide(c *cli.Context, arg string) (side, error) {
	s := side{label: arg, file: FlagString(c, "file"), profile: FlagString(c, "profile"), store: FlagString(c, "store")}
	if !strings.Contains(arg, "=") {
		s.profile = arg
	} else {
		for _, kv := range strings.Split(arg, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch strings.TrimSpace(k) {
			case "profile":
				s.profile = v
			case "file":
				s.file = v
			case "store":
				s.store = v
			default:
				return s, fmt.Errorf("side %q: unknown key %q (want profile, file or store)", arg, k)
			}
		}
	}
	if s.profile == "default" {
		s.profile = ""
	}
	return s, nil
}

// open loads the side's file and store as a workspace, as every command
// opens its own (the data directory from --data-dir or PIPE_DATA_DIR).
func (s side) open(c *cli.Context) (*workspace, error) {
	ws, err := openWorkspaceAt(c, s.file, s.profile, s.store)
	if err != nil {
		return nil, fmt.Errorf("side %s: %w", s.label, err)
	}
	return ws, nil
}

// twoSides parses and opens both sides of a diff command.
func twoSides(c *cli.Context, args []string) (a, b side, wa, wb *workspace, err error) {
	if len(args) != 2 {
		return a, b, nil, nil, fmt.Errorf("%s diff takes two sides, SIDE_A SIDE_B (for example: default ci). %s", c.Command.Name, sideUsage)
	}
	if a, err = parseSide(c, args[0]); err != nil {
		return
	}
	if b, err = parseSide(c, args[1]); err != nil {
		return
	}
	if wa, err = a.open(c); err != nil {
		return
	}
	wb, err = b.open(c)
	return
}

// metricRow is one joined row of a metrics diff.
type metricRow struct {
	Key    string   `json:"key"`
	Column string   `json:"column"`
	A      *float64 `json:"a"`
	B      *float64 `json:"b"`
	Change *float64 `json:"change"`
}

func metricsDiffAction(c *cli.Context, args []string) error {
	sa, sb, wa, wb, err := twoSides(c, args)
	if err != nil {
		return err
	}
	keys, values := splitCols(c.String("keys")), splitCols(c.String("values"))
	ta, err := sideTable(c, sa, wa, keys, values)
	if err != nil {
		return err
	}
	tb, err := sideTable(c, sb, wb, keys, values)
	if err != nil {
		return err
	}
	rows := joinMetrics(ta, tb, values, c.Bool("all"))
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	printMetricRows(c.App.Writer, sa.label, sb.label, rows)
	return nil
}

// sideTable reads --output (STAGE.OUTPUT) of a side as key → value column
// → number. When the side's result is not the one its file uses now (the
// stage is stale, see resultOf), it says so on stderr, naming the side.
func sideTable(c *cli.Context, sd side, ws *workspace, keys, values []string) (map[string]map[string]float64, error) {
	target := c.String("output")
	stage, output, err := splitTarget(ws.file, target)
	if err != nil {
		return nil, fmt.Errorf("side %s: %w", sd.label, err)
	}
	res, err := ws.resultOf(c.Context, stage)
	if err != nil {
		return nil, fmt.Errorf("side %s: %w", sd.label, err)
	}
	if res.note != "" {
		fmt.Fprintf(c.App.ErrWriter, "side %s: %s: %s (run %s)\n", sd.label, stage, res.note, res.rec.End.Local().Format("2006-01-02 15:04:05"))
	}
	d, ok := res.rec.Outputs[output]
	if !ok {
		return nil, fmt.Errorf("side %s: stage %s has no output %q (outputs: %s)", sd.label, stage, output, strings.Join(slices.Sorted(maps.Keys(res.rec.Outputs)), ", "))
	}
	b, err := ws.store.Get(c.Context, d)
	if err != nil {
		return nil, fmt.Errorf("side %s: %s: %w", sd.label, target, err)
	}
	cols, n, err := readColumns(b)
	if err != nil {
		return nil, fmt.Errorf("side %s: %s: %w", sd.label, target, err)
	}
	t, err := tableByKey(cols, n, keys, values)
	if err != nil {
		return nil, fmt.Errorf("side %s: %w", sd.label, err)
	}
	return t, nil
}

// readColumns reads an output as named string columns: an Arrow table, or
// else a CSV file with a header line (a shell stage's metrics).
func readColumns(b []byte) (map[string][]string, int, error) {
	cols := map[string][]string{}
	if rec, err := arrowtab.Unmarshal(b); err == nil {
		defer rec.Release()
		for j := 0; j < int(rec.NumCols()); j++ {
			for i := 0; i < int(rec.NumRows()); i++ {
				cols[rec.ColumnName(j)] = append(cols[rec.ColumnName(j)], arrowtab.Cell(rec.Column(j), i))
			}
		}
		return cols, int(rec.NumRows()), nil
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, 0, fmt.Errorf("neither an Arrow table nor a CSV file with a header (%v)", err)
	}
	for _, r := range rows[1:] {
		for j, name := range rows[0] {
			cols[name] = append(cols[name], r[j])
		}
	}
	return cols, len(rows) - 1, nil
}

// tableByKey indexes the values columns of n rows by the joined keys columns.
func tableByKey(cols map[string][]string, n int, keys, values []string) (map[string]map[string]float64, error) {
	for _, c := range append(append([]string(nil), keys...), values...) {
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("no column %q (columns: %s)", c, strings.Join(slices.Sorted(maps.Keys(cols)), ", "))
		}
	}
	out := map[string]map[string]float64{}
	for i := 0; i < n; i++ {
		var parts []string
		for _, k := range keys {
			parts = append(parts, cols[k][i])
		}
		row := map[string]float64{}
		for _, v := range values {
			x, err := strconv.ParseFloat(strings.TrimSpace(cols[v][i]), 64)
			if err != nil {
				x = math.NaN()
			}
			row[v] = x
		}
		out[strings.Join(parts, " ")] = row
	}
	return out, nil
}

// joinMetrics pairs the rows of both sides; a row only one side has gets
// a nil value on the other. Equal rows are left out unless all.
func joinMetrics(a, b map[string]map[string]float64, values []string, all bool) []metricRow {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var rows []metricRow
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		for _, v := range values {
			r := metricRow{Key: k, Column: v}
			if x, ok := a[k][v]; ok && !math.IsNaN(x) {
				r.A = &x
			}
			if y, ok := b[k][v]; ok && !math.IsNaN(y) {
				r.B = &y
			}
			if r.A != nil && r.B != nil {
				d := *r.B - *r.A
				r.Change = &d
				if d == 0 && !all {
					continue
				}
			}
			if r.A == nil && r.B == nil && !all {
				continue
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// printMetricRows prints the rows as an aligned table.
func printMetricRows(w io.Writer, la, lb string, rows []metricRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no differences")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "row\tcolumn\t%s\t%s\tchange\n", la, lb)
	num := func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strconv.FormatFloat(*p, 'g', 6, 64)
	}
	for _, r := range rows {
		change := num(r.Change)
		if r.Change != nil && r.A != nil && *r.A != 0 {
			change += fmt.Sprintf(" (%+.1f%%)", 100**r.Change/math.Abs(*r.A))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Key, r.Column, num(r.A), num(r.B), change)
	}
	tw.Flush()
}

// clip shortens a long value for the text table (--json keeps it whole).
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}
