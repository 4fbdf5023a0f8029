package stages

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// chromiumFlags are the headless flags the report test runs Chromium with:
// no sandbox (containers), no GPU, no network or profile side effects.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
	"--no-first-run", "--disable-component-update", "--disable-sync", "--virtual-time-budget=10000"}

// findChromium returns the Chromium binary, skipping the test when there is
// none and CI is not set (in CI a missing browser is a failure: .ci/run
// installs the Debian package).
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but no chromium is on PATH (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (Debian package chromium); set CI to make this a failure")
	return ""
}

// runChromium runs the browser on page with the extra flags and returns
// its standard output.
func runChromium(t *testing.T, bin, page string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append(append(append([]string(nil), chromiumFlags...), "--user-data-dir="+t.TempDir()), extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
	}
	return out
}

// browserReport builds a report from the tables fixture with two figures.
func browserReport(t *testing.T) []byte {
	t.Helper()
	t1, t2 := runTables(t, nil)
	tables := map[string]arrow.Record{"table1": roundTrip(t, t1), "table2": roundTrip(t, t2)}
	curves := map[string]arrow.Record{"curves/dfl-diffusion-sf-power-s0.curve": fakeCurve(t, "power", "diffusion-sf", "0", []float64{5, 4.8, 4.6})}
	fig, _ := runKind(t, figureCurvesKind(), map[string]any{}, curves, "")
	tables["figures/figure-curves.png"] = roundTrip(t, fig["png"])
	fig2, _ := runKind(t, figureTable2Kind(), map[string]any{}, map[string]arrow.Record{"table2": tables["table2"]}, "")
	tables["figures/figure-table2.png"] = roundTrip(t, fig2["png"])
	out, _ := runKind(t, reportKind(), map[string]any{"commit": "test", "profile": "test"}, tables, "")
	raw, err := arrowtab.Marshal(out["html"])
	if err != nil {
		t.Fatal(err)
	}
	html, err := arrowtab.Render(raw, "blob")
	if err != nil {
		t.Fatal(err)
	}
	return html
}

// TestReportRendersInChromium opens the report in headless Chromium: its
// script must mark every image loaded, and a screenshot must not be blank.
func TestReportRendersInChromium(t *testing.T) {
	bin := findChromium(t)
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, browserReport(t), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(runChromium(t, bin, page, "--dump-dom"))
	if !strings.Contains(dom, `data-images="ok"`) {
		i := strings.Index(dom, "data-images=")
		t.Fatalf("images did not all load: body has %q", dom[max(0, i):min(len(dom), i+30)])
	}
	if n := strings.Count(dom, "<img "); n != 2 {
		t.Errorf("DOM has %d images, want 2", n)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	runChromium(t, bin, page, "--window-size=1200,1600", "--screenshot="+shot)
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	dark, colours := 0, map[uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 4 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 4 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[(r>>12)<<8|(g>>12)<<4|b>>12] = true
			if r+g+b < 3*0x8000 {
				dark++
			}
		}
	}
	if dark < 500 || len(colours) < 8 {
		t.Errorf("screenshot looks blank: %d dark samples, %d colours", dark, len(colours))
	}
}
