package pipecmd

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// paramRow is one differing param of a params diff.
type paramRow struct {
	Stage string `json:"stage"`
	Param string `json:"param"`
	A     string `json:"a"`
	B     string `json:"b"`
}

func paramsDiffAction(c *cli.Context, args []string) error {
	sa, sb, wa, wb, err := twoSides(c, args)
	if err != nil {
		return err
	}
	var globs []string
	if s := c.String("stages"); s != "" {
		globs = splitCols(s)
	}
	rows, err := diffParams(wa.file, wb.file, globs)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(c.App.Writer, "no differences")
		return nil
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "stage\tparam\t%s\t%s\n", sa.label, sb.label)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Stage, r.Param, clip(r.A), clip(r.B))
	}
	return tw.Flush()
}

// diffParams lists the params that differ between the stages of a and b
// (matching globs, when given), and the stages only one side has.
func diffParams(a, b *pipeline.File, globs []string) ([]paramRow, error) {
	names := map[string]bool{}
	for n := range a.Stages {
		names[n] = true
	}
	for n := range b.Stages {
		names[n] = true
	}
	var rows []paramRow
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if ok, err := matchAny(globs, n); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		sa, sb := a.Stages[n], b.Stages[n]
		switch {
		case sa == nil:
			rows = append(rows, paramRow{Stage: n, Param: "(stage)", A: "—", B: "present"})
			continue
		case sb == nil:
			rows = append(rows, paramRow{Stage: n, Param: "(stage)", A: "present", B: "—"})
			continue
		}
		params := map[string]bool{}
		for k := range sa.Params {
			params[k] = true
		}
		for k := range sb.Params {
			params[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(params)) {
			va, vb := paramText(sa.Params, k), paramText(sb.Params, k)
			if va != vb {
				rows = append(rows, paramRow{Stage: n, Param: k, A: va, B: vb})
			}
		}
	}
	return rows, nil
}

// paramText is a param's value as compact JSON, or "—" when unset.
func paramText(p pipeline.Params, k string) string {
	v, ok := p[k]
	if !ok {
		return "—"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// matchAny reports whether name matches one of globs (true when none).
func matchAny(globs []string, name string) (bool, error) {
	if len(globs) == 0 {
		return true, nil
	}
	for _, g := range globs {
		ok, err := filepath.Match(g, name)
		if err != nil {
			return false, fmt.Errorf("--stages %q: %w", g, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}
