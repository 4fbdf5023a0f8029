package stages

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image/color"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// KindFigure is the arrowtab.MetaKind of a figure: a one-row table whose
// only column, ColPNG, holds the PNG file (exported with format blob).
const KindFigure = "figure"

// ColPNG is the binary column of a figure artifact.
const ColPNG = "png"

// MetaCaption is the figure metadata key holding its caption (the report
// prints it under the image).
const MetaCaption = "caption"

// Figure sizes: one panel is panelW × panelH, at figureDPI.
const (
	panelW    = 4.2 * vg.Inch
	panelH    = 3.2 * vg.Inch
	figureDPI = 150
)

// methodColors gives every method the paper's figures draw one colour, the
// same in every figure (Okabe–Ito and Tableau hues, readable in grey and by
// colour-blind readers). Methods not listed get a stable colour from
// extraColors by the hash of their name.
var methodColors = map[string]color.RGBA{
	"diffusion-sf":        {0x00, 0x72, 0xB2, 0xFF}, // blue
	"diffusion-sf-is":     {0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	"diffusion-rp":        {0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	"diffusion-sf-k50":    {0x00, 0x3F, 0x7F, 0xFF}, // dark blue
	"diffusion-sf-is-k50": {0x2A, 0x8C, 0x9E, 0xFF}, // teal
	"gaussian-sf":         {0x00, 0x9E, 0x73, 0xFF}, // bluish green
	"gaussian-rp":         {0xE6, 0x9F, 0x00, 0xFF}, // orange
	"deterministic":       {0x7F, 0x7F, 0x7F, 0xFF}, // grey
	"two-stage-diffusion": {0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	"two-stage-gaussian":  {0x8C, 0x56, 0x4B, 0xFF}, // brown
	"two-stage-mlp":       {0xBC, 0xBD, 0x22, 0xFF}, // olive
	"policy":              {0x94, 0x67, 0xBD, 0xFF}, // purple
	"oracle":              {0x00, 0x00, 0x00, 0xFF}, // black
	"equal-weight":        {0xB0, 0xB0, 0xB0, 0xFF}, // light grey
	"true-saa":            {0x44, 0x44, 0x44, 0xFF}, // dark grey
	"population-optimum":  {0x22, 0x22, 0x22, 0xFF},
	"truth":               {0x00, 0x00, 0x00, 0xFF}, // true targets in sample plots
}

var extraColors = []color.RGBA{
	{0x1F, 0x77, 0xB4, 0xFF}, {0xFF, 0x7F, 0x0E, 0xFF}, {0x2C, 0xA0, 0x2C, 0xFF}, {0xD6, 0x27, 0x28, 0xFF},
	{0x17, 0xBE, 0xCF, 0xFF}, {0xE3, 0x77, 0xC2, 0xFF},
}

// MethodColor returns the colour of method in every figure.
func MethodColor(method string) color.RGBA {
	if c, ok := methodColors[method]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(method))
	return extraColors[h.Sum32()%uint32(len(extraColors))]
}

// withAlpha returns c with opacity a in [0, 1] (premultiplied, as image/color wants).
func withAlpha(c color.RGBA, a float64) color.RGBA {
	f := func(v uint8) uint8 { return uint8(float64(v) * a) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), uint8(255 * a)}
}

// newPanel returns a plot with the project's fonts (12 pt labels, 10 pt
// ticks, 13 pt title), a light grid and the legend inside the top right.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = font.Length(13)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = font.Length(12)
		a.Tick.Label.Font.Size = font.Length(10)
	}
	p.Legend.TextStyle.Font.Size = font.Length(9)
	p.Legend.Top = true
	p.Legend.ThumbnailWidth = 0.25 * vg.Inch
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 225}
	grid.Horizontal.Color = color.Gray{Y: 225}
	p.Add(grid)
	return p
}

// addLine adds the polyline (xs, ys) in colour c; a non-empty name adds a
// legend entry. dashed draws it dashed (for the second series of a method).
func addLine(p *plot.Plot, xs, ys []float64, c color.Color, width vg.Length, dashed bool, name string) error {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("figure line %q: %w", name, err)
	}
	l.Color, l.Width = c, width
	if dashed {
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}

// renderPanels draws panels on a rows × cols grid (row-major; nil leaves a
// cell empty) into a PNG.
func renderPanels(panels []*plot.Plot, rows, cols int) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(panelW*vg.Length(cols), panelH*vg.Length(rows)), vgimg.UseDPI(figureDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(6),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(6)}
	for i, p := range panels {
		if p != nil {
			p.Draw(tiles.At(dc, i%cols, i/cols))
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode figure PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// figureRecord stores a PNG as a figure artifact with its caption.
func figureRecord(png []byte, caption string) (arrow.Record, error) {
	return blobRecord(ColPNG, png, map[string]string{arrowtab.MetaKind: KindFigure, MetaCaption: caption})
}

// blobRecord is a one-row table whose only column, name, holds b: how a
// built-in stage stores a file (pipelines.yaml exports it with format blob).
func blobRecord(name string, b []byte, meta map[string]string) (arrow.Record, error) {
	bld := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
	defer bld.Release()
	bld.Append(b)
	arr := bld.NewArray()
	defer arr.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.BinaryTypes.Binary}}, arrowtab.Metadata(meta))
	return array.NewRecord(schema, []arrow.Array{arr}, 1), nil
}

// blobOf returns the bytes a blobRecord holds in column name.
func blobOf(rec arrow.Record, name string) ([]byte, error) {
	if rec == nil || rec.NumRows() != 1 {
		return nil, fmt.Errorf("%w: want a one-row %s table", ErrInput, name)
	}
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		return nil, fmt.Errorf("%w: table has no %q column", ErrInput, name)
	}
	col, ok := rec.Column(idx[0]).(*array.Binary)
	if !ok {
		return nil, fmt.Errorf("%w: column %q is %s, want binary", ErrInput, name, rec.Column(idx[0]).DataType())
	}
	return col.Value(0), nil
}

// roomForLegend raises the top of pl's y range so that a legend of entries
// lines in the top corner sits above the data rather than on it.
func roomForLegend(pl *plot.Plot, entries int) {
	lo, hi := pl.Y.Min, pl.Y.Max
	if hi <= lo {
		return
	}
	pl.Y.Max = hi + (hi-lo)*min(0.9, 0.1*float64(entries)+0.05)
}

// seedsLabel is "method (n seed[s])".
func seedsLabel(method string, n int) string {
	if n == 1 {
		return method + " (1 seed)"
	}
	return fmt.Sprintf("%s (%d seeds)", method, n)
}
