package datasets

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourcesMatchSourceMD checks the generated table against the sha256
// table of sp500/SOURCE.md, row by row.
func TestSourcesMatchSourceMD(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedData(t), "sp500", "SOURCE.md"))
	if err != nil {
		t.Skipf("no SOURCE.md: %v", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) == 9 && strings.HasPrefix(strings.TrimSpace(cells[1]), "stocks/") {
			want[strings.TrimSpace(cells[2])] = strings.TrimSpace(cells[7])
		}
	}
	if len(want) != 224 || len(sp500Files) != 224 {
		t.Fatalf("SOURCE.md lists %d files, the table %d", len(want), len(sp500Files))
	}
	for _, f := range sp500Files {
		if want[f.Ticker] != f.SHA256 {
			t.Errorf("%s: table %s, SOURCE.md %s", f.Ticker, f.SHA256, want[f.Ticker])
		}
	}
}

// TestSourcesMatchSharedData checks that every source's sha256 and size
// describe the shared copy, so Fetch reproduces the shared directory.
func TestSourcesMatchSharedData(t *testing.T) {
	dir := sharedData(t)
	seen := map[string]bool{}
	for _, s := range Sources() {
		if seen[s.Path] || !strings.HasPrefix(s.URL, "https://raw.githubusercontent.com/") {
			t.Errorf("%s: duplicate or not a pinned HTTPS URL: %s", s.Path, s.URL)
		}
		seen[s.Path] = true
		path := filepath.Join(dir, filepath.FromSlash(s.Path))
		st, err := os.Stat(path)
		if err != nil {
			t.Errorf("%s: %v", s.Path, err)
			continue
		}
		if sum, err := fileSHA256(path); err != nil || sum != s.SHA256 || st.Size() != s.Size {
			t.Errorf("%s: sha256 %s size %d; table %s %d", s.Path, sum, st.Size(), s.SHA256, s.Size)
		}
	}
	if len(seen) != 227 {
		t.Errorf("%d sources, want 2 PJM + constituents + 224 price files", len(seen))
	}
}
