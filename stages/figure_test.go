package stages

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// fakeCurve is a DFL curve artifact of one run.
func fakeCurve(t *testing.T, dataset, method, seed string, hold []float64) arrow.Record {
	t.Helper()
	ep := make([]int64, len(hold))
	secs := make([]float64, len(hold))
	for i := range ep {
		ep[i], secs[i] = int64(i), float64(i)+0.5
	}
	rec, err := arrowtab.NewBuilder().Int64(ColEpoch, ep).Float64(ColHoldTaskLoss, hold).Float64(ColSeconds, secs).
		Record(map[string]string{arrowtab.MetaKind: KindCurve, MetaTask: TaskPower, MetaDataset: dataset, MetaMethod: method, MetaSeed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return roundTrip(t, rec)
}

// decodeFigure checks a figure output is a PNG of at least minW × minH
// pixels with more than one colour, and returns it.
func decodeFigure(t *testing.T, rec arrow.Record, minW, minH int) image.Image {
	t.Helper()
	rec = roundTrip(t, rec)
	if k, _ := arrowtab.Meta(rec, arrowtab.MetaKind); k != KindFigure {
		t.Errorf("figure kind metadata %q, want %q", k, KindFigure)
	}
	b, err := blobOf(rec, ColPNG)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("figure is not a PNG: %v", err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < minW || h < minH {
		t.Errorf("figure %d×%d px, want at least %d×%d", w, h, minW, minH)
	}
	colours := map[[4]uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			r, g, b, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colours) < 5 {
		t.Errorf("figure has %d colours: blank?", len(colours))
	}
	return img
}

func TestFigureCurves(t *testing.T) {
	tables := map[string]arrow.Record{
		"curves/dfl-diffusion-sf-power-s0.curve":     fakeCurve(t, "power", "diffusion-sf", "0", []float64{5, 4.8, 4.7}),
		"curves/dfl-diffusion-sf-power-s1.curve":     fakeCurve(t, "power", "diffusion-sf", "1", []float64{5.2, 4.9, 4.9}),
		"curves/dfl-diffusion-sf-is-power-s0.curve":  fakeCurve(t, "power", "diffusion-sf-is", "0", []float64{5, 4.6, 4.5}),
		"curves/dfl-diffusion-rp-synthetic-s0.curve": fakeCurve(t, "synthetic", "diffusion-rp", "0", []float64{1.3, 1.2, 1.1}),
	}
	out, rep := runKind(t, figureCurvesKind(), map[string]any{}, tables, "")
	decodeFigure(t, out["png"], 2*int(4.2*figureDPI)-2, int(3.2*figureDPI)-2)
	if !rep.has("2 datasets") {
		t.Errorf("log %q does not count 2 datasets", rep.lines)
	}
}

func TestFigureCurvesNeedsDFLCurves(t *testing.T) {
	_, _, err := tryKind(figureCurvesKind(), map[string]any{}, map[string]arrow.Record{}, "")
	if err == nil || !strings.Contains(err.Error(), "no DFL curve") {
		t.Errorf("empty fan-in: err %v, want 'no DFL curve'", err)
	}
}

func TestFigureTable2(t *testing.T) {
	_, t2 := runTables(t, nil)
	out, _ := runKind(t, figureTable2Kind(), map[string]any{}, map[string]arrow.Record{"table2": roundTrip(t, t2)}, "")
	decodeFigure(t, out["png"], 600, 600)
	withS, _ := runKind(t, figureTable2Kind(), map[string]any{}, map[string]arrow.Record{"table2": roundTrip(t, t2), "costs": fakeStepCost(t)}, "")
	decodeFigure(t, withS["png"], 600, 600)
	if c, _ := arrowtab.Meta(withS["png"], MetaCaption); !strings.Contains(c, "against the sampling steps S") {
		t.Errorf("caption %q does not say the costs are drawn against S", c)
	}
}

func TestMethodColorsDistinct(t *testing.T) {
	seen := map[[3]uint8]string{}
	for m, c := range methodColors {
		if m == "truth" || m == "oracle" || m == "population-optimum" {
			continue // black and near-black reference lines
		}
		k := [3]uint8{c.R, c.G, c.B}
		if other, dup := seen[k]; dup {
			t.Errorf("methods %s and %s share colour %v", m, other, c)
		}
		seen[k] = m
	}
	// Unlisted methods take a colour of the extra palette by name: two
	// different new methods in one figure should mostly look different.
	extra := map[[3]uint8]bool{}
	for _, c := range extraColors {
		extra[[3]uint8{c.R, c.G, c.B}] = true
	}
	used := map[[3]uint8]bool{}
	for _, m := range []string{"new-a", "new-b", "new-c", "new-d", "new-e", "new-f", "new-g", "new-h"} {
		c := MethodColor(m)
		k := [3]uint8{c.R, c.G, c.B}
		if !extra[k] {
			t.Errorf("unlisted method %s has colour %v, not one of the extra palette", m, c)
		}
		used[k] = true
	}
	if len(used) < 3 {
		t.Errorf("8 unlisted methods share only %d colours of %d", len(used), len(extraColors))
	}
}

func TestReportInlinesFiguresAndTables(t *testing.T) {
	t1, t2 := runTables(t, nil)
	curves := map[string]arrow.Record{"curves/dfl-diffusion-sf-power-s0.curve": fakeCurve(t, "power", "diffusion-sf", "0", []float64{5, 4.8})}
	fig, _ := runKind(t, figureCurvesKind(), map[string]any{}, curves, "")
	tables := map[string]arrow.Record{"table1": roundTrip(t, t1), "table2": roundTrip(t, t2),
		"figures/figure-curves.png": roundTrip(t, fig["png"]), "curves/dfl-diffusion-sf-power-s0.curve": curves["curves/dfl-diffusion-sf-power-s0.curve"]}
	out, _ := runKind(t, reportKind(), map[string]any{"commit": "abc123", "profile": "ci", "settings": []any{"hidden=32"}}, tables, "")
	raw, err := arrowtab.Marshal(out["html"])
	if err != nil {
		t.Fatal(err)
	}
	html, err := arrowtab.Render(raw, "blob")
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, want := range []string{"<!DOCTYPE html>", "data:image/png;base64,", "Table 1: main results", "Table 2: estimator ablation",
		"abc123", "<b>ci</b>", "hidden=32", "dfl-diffusion-sf-power-s0", "diffusion-sf-is", `data-images="pending"`} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"src=\"http", "href=\"http", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("report is not self-contained: has %q", bad)
		}
	}
	if strings.Contains(page, "<th>loss_mean</th>") {
		t.Error("report shows table2's machine column loss_mean")
	}
}

func TestFigureGradients(t *testing.T) {
	var ks []int64
	var eta, cos, corr []float64
	var ts, ws, ns, sampler []string
	for _, e := range []float64{0, 1} {
		for _, tm := range []string{TimestepsUniform, TimestepsImportance} {
			for _, w := range []string{WeightsRaw, WeightsCentered} {
				for i, k := range []int64{1, 10, 100} {
					ks, eta, ts, ws, ns, sampler = append(ks, k), append(eta, e), append(ts, tm), append(ws, w), append(ns, NoiseShared), append(sampler, "diffusion")
					cos, corr = append(cos, 0.1*float64(i+1)), append(corr, 0.2*float64(i+1))
				}
			}
		}
	}
	rec, err := arrowtab.NewBuilder().String("sampler", sampler).Float64("eta", eta).Int64("K", ks).String("timesteps", ts).
		String("noise", ns).String("weights", ws).Float64("cos_rp", cos).Float64("cos_rp_corrected", corr).
		Record(map[string]string{arrowtab.MetaKind: KindGradientCosine})
	if err != nil {
		t.Fatal(err)
	}
	out, rep := runKind(t, figureGradientsKind(), map[string]any{}, map[string]arrow.Record{"cosines": roundTrip(t, rec)}, "")
	decodeFigure(t, out["png"], 1200, 400)
	if !rep.has("2 panels") {
		t.Errorf("log %q: want 2 panels (one per η)", rep.lines)
	}
	if os.Getenv("PIPE_FIGURE_OUT") != "" { // look at it: PIPE_FIGURE_OUT=/tmp/g.png go test -run FigureGradients
		b, _ := blobOf(out["png"], ColPNG)
		os.WriteFile(os.Getenv("PIPE_FIGURE_OUT"), b, 0o644)
	}
}

func TestFigureAssets(t *testing.T) {
	tables := map[string]arrow.Record{}
	for _, n := range []int{10, 25, 50} {
		for _, m := range []string{"two-stage-diffusion", "diffusion-sf-is"} {
			rec, err := arrowtab.NewBuilder().String("split", []string{"hold", "test"}).Float64("return_pct", []float64{9, float64(n) / 100}).
				Record(map[string]string{arrowtab.MetaKind: "metrics", MetaMethod: m})
			if err != nil {
				t.Fatal(err)
			}
			tables[fmt.Sprintf("metrics/assets-eval-%s-portfolio-n%d-s0.metrics", m, n)] = roundTrip(t, rec)
		}
	}
	out, rep := runKind(t, figureAssetsKind(), map[string]any{}, tables, "")
	decodeFigure(t, out["png"], 600, 450)
	if c, _ := arrowtab.Meta(out["png"], MetaCaption); !strings.HasSuffix(c, "the mean over 1 seed.") {
		t.Errorf("caption %q does not count the seeds", c)
	}
	if !rep.has("2 methods over 6 evaluations") {
		t.Errorf("log %q", rep.lines)
	}
	tables["metrics/eval-x-portfolio-s0.metrics"] = tables["metrics/assets-eval-diffusion-sf-is-portfolio-n10-s0.metrics"]
	if _, _, err := tryKind(figureAssetsKind(), map[string]any{}, tables, ""); err == nil || !strings.Contains(err.Error(), "-n<assets>-") {
		t.Errorf("stage without n: err %v", err)
	}
}

func TestTrainedEta(t *testing.T) {
	for _, c := range []struct {
		name, trained string
		want          float64
		err           bool
	}{
		{"pretrained model: the figure's eta", `{"kind":"pretrain-diffusion","params":{"epochs":10}}`, 0.3, false},
		{"no metadata", "", 0.3, false},
		{"DFL model trained with eta 1", `{"kind":"dfl-diffusion","params":{"eta":1.0,"steps":20}}`, 1, false},
		{"integer eta", `{"kind":"dfl-diffusion","params":{"eta":0}}`, 0, false},
		{"eta out of range", `{"kind":"dfl-diffusion","params":{"eta":2.0}}`, 0, true},
		{"not JSON", `{"kind"`, 0, true},
	} {
		got, err := trainedEta(map[string]string{MetaTrainedBy: c.trained}, 0.3)
		if (err != nil) != c.err {
			t.Errorf("%s: error %v, want error %v", c.name, err, c.err)
			continue
		}
		if !c.err && got != c.want {
			t.Errorf("%s: eta %g, want %g", c.name, got, c.want)
		}
	}
}
