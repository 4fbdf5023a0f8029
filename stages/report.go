package stages

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"os/exec"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/internal/openblas"
	"github.com/diffusion-dfl/pipe/model/nn"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// KindReport is the arrowtab.MetaKind of the report: a one-row table whose
// only column, ColHTML, holds the HTML file (exported with format blob).
const KindReport = "report"

// ColHTML is the binary column of a report artifact.
const ColHTML = "html"

// reportKind assembles the run's tables, figures and provenance into one
// self-contained HTML page.
func reportKind() pipeline.Kind {
	return pipeline.Kind{
		Name: "report",
		Doc: "One self-contained static HTML page (no external file: images are inlined as data: URIs): Table 1, " +
			"Table 2, the per-seed table (folded), every figure of the figures fan-in with its caption, and the run's " +
			"provenance: the commit (the commit param, else `git rev-parse` of the working directory, else unknown), " +
			"the profile, the params listed in settings, the numeric backend of the process that ran the stage, and " +
			"the training seconds of every stage of the curves fan-in (the last seconds value of its curve). " +
			"Output: a one-row table, binary column html (export it with format blob).",
		Params: []pipeline.ParamSpec{
			{Name: "title", Type: pipeline.String, Default: "Diffusion-DFL reproduction", Doc: "page title"},
			{Name: "profile", Type: pipeline.String, Default: "default", Doc: "the profile the run used (pipelines.yaml passes ${profile_name})"},
			{Name: "commit", Type: pipeline.String, Default: "", Doc: "the commit of the code; empty: ask git in the working directory"},
			{Name: "settings", Type: pipeline.Strings, Default: []any{}, Doc: "name=value lines shown as the run's params"},
		},
		Inputs: []pipeline.PortSpec{
			{Name: "table1", Doc: "paper-tables' table1"},
			{Name: "table2", Doc: "paper-tables' table2"},
			{Name: "per_seed", Optional: true, Doc: "aggregate's per_seed long table"},
			{Name: "figures", Many: true, Doc: "fan-in of figure outputs (figure-*.png)"},
			{Name: "curves", Many: true, Optional: true, Doc: "fan-in of training curves, for the per-stage seconds"},
		},
		Outputs: []pipeline.PortSpec{{Name: "html", Doc: "the page: one-row table, binary column html"}},
		Run:     runReport,
	}
}

// reportPage is what the page template renders.
type reportPage struct {
	Title, Profile, Commit, Backend string
	Settings                        []string
	Tables                          []reportTable
	Figures                         []reportFigure
	Times                           []reportTime
	TotalSeconds                    string
}

// reportTable is a table as header and cells; Fold puts it in <details>.
type reportTable struct {
	Name   string
	Fold   bool
	Header []string
	Rows   [][]string
}

// reportFigure is one inlined figure.
type reportFigure struct {
	Name, Caption string
	Src           template.URL
}

// reportTime is one stage's training seconds.
type reportTime struct{ Stage, Seconds string }

// runReport is the Run function of the report kind.
func runReport(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	page := reportPage{Title: p.String("title"), Profile: p.String("profile"), Commit: reportCommit(ctx, p.String("commit")),
		Backend: openblas.Describe() + "; nn kernels " + nn.Kernels(), Settings: p.Strings("settings")}
	for _, t := range []struct {
		port, name string
		fold       bool
	}{{"table1", "Table 1: main results", false}, {"table2", "Table 2: estimator ablation", false}, {"per_seed", "Per-seed results", true}} {
		rec := in.Tables[t.port]
		if rec == nil {
			if t.port != "per_seed" {
				return nil, fmt.Errorf("%w: report: input %s is missing", ErrInput, t.port)
			}
			continue
		}
		page.Tables = append(page.Tables, htmlTable(t.name, t.fold, rec))
	}
	names, figs := fanInRecords(in.Tables, "figures")
	for _, stage := range names {
		png, err := blobOf(figs[stage], ColPNG)
		if err != nil {
			return nil, fmt.Errorf("report: figure %s: %w", stage, err)
		}
		caption, _ := arrowtab.Meta(figs[stage], MetaCaption)
		page.Figures = append(page.Figures, reportFigure{Name: stage, Caption: caption,
			Src: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	}
	page.Times, page.TotalSeconds = stageTimes(in.Tables)
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("report: render HTML: %w", err)
	}
	r.Logf("report: %d tables, %d figures, %d timed stages, %d bytes", len(page.Tables), len(page.Figures), len(page.Times), buf.Len())
	rec, err := blobRecord(ColHTML, buf.Bytes(), map[string]string{arrowtab.MetaKind: KindReport})
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"html": rec}, nil
}

// reportCommit returns the commit param, else the working directory's git
// HEAD (with "+dirty" when the tree has changes), else "unknown".
func reportCommit(ctx context.Context, commit string) string {
	if commit != "" {
		return commit
	}
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout; pass the report's commit param)"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "+dirty"
	}
	return c
}

// machineColumns are the tables' numeric twins of their formatted columns;
// the page shows the formatted ones.
var machineColumns = map[string]bool{"mean": true, "std": true, "ci_low": true, "ci_high": true, "mc_se": true,
	"diff": true, "diff_low": true, "diff_high": true, "sharpe": true, "eff_assets": true, "paper_mean": true,
	"paper_std": true, "loss_mean": true, "loss_std": true}

// htmlTable converts rec into header and cells, without machine columns.
func htmlTable(name string, fold bool, rec arrow.Record) reportTable {
	t := reportTable{Name: name, Fold: fold}
	var cols []int
	for j := 0; j < int(rec.NumCols()); j++ {
		if fold || !machineColumns[rec.ColumnName(j)] {
			cols = append(cols, j)
			t.Header = append(t.Header, rec.ColumnName(j))
		}
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		row := make([]string, len(cols))
		for k, j := range cols {
			row[k] = arrowtab.Cell(rec.Column(j), i)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// stageTimes reads each curve's last seconds value, and their sum.
func stageTimes(tables map[string]arrow.Record) ([]reportTime, string) {
	names, curves := fanInRecords(tables, "curves")
	var out []reportTime
	total := 0.0
	for _, stage := range names {
		secs, err := arrowtab.Float64s(curves[stage], ColSeconds)
		if err != nil || len(secs) == 0 || math.IsNaN(secs[len(secs)-1]) {
			continue
		}
		s := secs[len(secs)-1]
		total += s
		out = append(out, reportTime{Stage: stage, Seconds: fmt.Sprintf("%.1f", s)})
	}
	return out, fmt.Sprintf("%.0f", total)
}
