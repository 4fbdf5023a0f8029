package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStockDamageOutsideWindow puts bad prices in rows far before the date
// window: each must be refused with the file and line, as inside it.
func TestStockDamageOutsideWindow(t *testing.T) {
	head := "Date,Open,High,Low,Close,Volume,OpenInt\n"
	good := "2004-01-05,10.1,10.5,10.0,10.3,100,0\n"
	cases := map[string]struct{ row, want string }{
		"inf close":   {"1995-03-01,1,1,1,+Inf,100,0\n", `line 2: Close "+Inf" is not a positive finite number`},
		"nan open":    {"1995-03-01,NaN,1,1,1,100,0\n", `line 2: Open "NaN" is not a positive finite number`},
		"zero low":    {"1995-03-01,1,1,0,1,100,0\n", `line 2: Low "0" is not a positive finite number`},
		"negative hi": {"1995-03-01,1,-2,1,1,100,0\n", `line 2: High "-2" is not a positive finite number`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "stocks", "bad.us.txt")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(head+c.row+good), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := readStock(path, "BAD", 20040101, 20161231, new([]byte))
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), "stocks/bad.us.txt") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrBadData naming the file and %q", err, c.want)
			}
		})
	}
}

// pjmLines are two days of well-formed hourly lines in the files' format.
func pjmLines() string {
	var b strings.Builder
	for h := range 48 {
		b.WriteString(" " + strconv.FormatFloat(float64(1420088400+3600*h), 'e', 8, 64) + " 1.58800000e+00 3.71350000e+01\n")
	}
	return b.String()
}

// TestPJMCutLastLine cuts the last line of a PJM file in the two ways a
// short download does: without its newline, and inside a number.
func TestPJMCutLastLine(t *testing.T) {
	whole := pjmLines()
	cases := map[string]struct{ text, want string }{
		"no newline":  {strings.TrimSuffix(whole, "\n"), "line 48: the last line has no newline"},
		"short field": {strings.TrimSuffix(whole, "1350000e+01\n") + "\n", `line 48: column 3 of the last line, "3.7", is shorter`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "pjm"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "pjm", "cut.txt"), []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadPJM(dir, PJMOptions{Files: []string{"cut.txt"}})
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), "cut.txt") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrBadData naming cut.txt and %q", err, c.want)
			}
		})
	}
}

// TestChangedPublishedFile cuts the published 2012–16 PJM file at a line
// boundary (it still parses): the load must fail with ErrChecksum naming
// it, and succeed with a warning when the change is accepted.
func TestChangedPublishedFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedData(t), "pjm", PJMFile2012))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "pjm"), 0o755); err != nil {
		t.Fatal(err)
	}
	cut := b[:len(b)*3/4]
	cut = cut[:len(cut)-len(cut)%46] // whole lines
	cut = cut[:strings.LastIndexByte(string(cut), '\n')+1]
	if err := os.WriteFile(filepath.Join(dir, "pjm", PJMFile2012), cut, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := PJMOptions{Files: []string{PJMFile2012}}
	if _, err := LoadPJM(dir, opts); !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), PJMFile2012) {
		t.Fatalf("err = %v, want ErrChecksum naming %s", err, PJMFile2012)
	}
	opts.AcceptChangedData = true
	d, err := LoadPJM(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(d.Warnings, "\n"); !strings.Contains(w, "accept_changed_data") {
		t.Fatalf("accepted change left no warning: %s", w)
	}
}

// BenchmarkCheckKnownSums hashes the 224 price files and the constituents
// list, the checksum cost LoadSP500 adds to every portfolio data stage.
func BenchmarkCheckKnownSums(b *testing.B) {
	dir := sharedData(b)
	rels := sp500Rels(SP500Tickers())
	for b.Loop() {
		if _, err := checkKnownSums(dir, rels, false); err != nil {
			b.Fatal(err)
		}
	}
}
