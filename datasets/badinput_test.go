package datasets

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPJMBadInput loads crafted files under testdata/pjm: each defect must
// give an error that wraps ErrBadData and names the file and line.
func TestPJMBadInput(t *testing.T) {
	cases := []struct {
		file string
		want string // in the message
	}{
		{"columns.txt", "line 31: 4 columns, want 3"},
		{"garbled.txt", `line 41: column 2: "abc" is not a number`},
		{"nan.txt", "line 51: column 2 is NaN"},
		{"inf.txt", "line 61: column 3 is +Inf"},
		{"backwards.txt", "line 71: timestamp"},
		{"duplicate.txt", "line 81: timestamp 1420372800 repeats line 80"},
		{"truncated.txt", "line 240: 2 columns, want 3"},
		{"gapday.txt", "line 97: no readings between 2015-01-04 and 2015-01-06"},
		{"fractional.txt", "line 91: time"},
		{"dst_duplicate_differs.txt", "line 28: timestamp 1425798000 repeats line 27"},
		{"fallback.txt", "line 27: local time 2015-11-01 01:00 EST falls in the same hour as line 26"},
		{"empty.txt", "no data lines"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := LoadPJM("testdata", PJMOptions{Files: []string{c.file}})
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), c.file) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrBadData naming %s and %q", err, c.file, c.want)
			}
		})
	}
	_, err := LoadPJM("testdata", PJMOptions{Files: []string{"absent.txt"}})
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "absent.txt") {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestPJMSmallFile loads a crafted 10-day file: 9 examples, the spring-forward
// repetition of the DST file dropped without complaint.
func TestPJMSmallFile(t *testing.T) {
	d, err := LoadPJM("testdata", PJMOptions{Files: []string{"good.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 9 || d.RowID[0] != "2015-01-02" || d.Count(Train) != 5 || d.Count(Hold) != 2 || d.Count(Test) != 2 {
		t.Errorf("%d rows from %s, splits %d/%d/%d", d.Len(), d.RowID[0], d.Count(Train), d.Count(Hold), d.Count(Test))
	}
	// 2015-01-01 is New Year's Day, the target day of no example; 2015-01-03 is a Saturday.
	if d.X.At(1, 144) <= 0 || d.X.At(0, 144) >= 0 {
		t.Errorf("weekend feature %v (Fri), %v (Sat)", d.X.At(0, 144), d.X.At(1, 144))
	}
	loc, _ := time.LoadLocation(pjmZone)
	tab, err := readPJM(filepath.Join("testdata", "pjm", "dst_duplicate.txt"), loc)
	if err != nil {
		t.Fatal(err)
	}
	// 72 hourly readings + 1 repeat from 2015-03-07 00:00 EST reach
	// 2015-03-10 00:00 EDT: 4 days, 02:00 missing on the spring-forward day
	// and hours 1–23 on the last day, which is reported.
	if len(tab.dates) != 4 || tab.missing != 24 || len(tab.warnings) != 1 || !strings.Contains(tab.warnings[0], "2015-03-10 has 23 of 24 hours missing") {
		t.Errorf("%d days, %d missing, warnings %v", len(tab.dates), tab.missing, tab.warnings)
	}
}

// TestSP500BadInput reads crafted price files under testdata/sp500/stocks.
func TestSP500BadInput(t *testing.T) {
	cases := []struct {
		ticker string
		want   string
	}{
		{"HEADER", `line 1: header "Date,Open,High,Low,Price,Volume,OpenInt"`},
		{"COLUMNS", "line 4: 6 columns, want 7"},
		{"BADDATE", `line 5: date "2004-13-05" is not YYYY-MM-DD`},
		{"ORDER", "line 6: date 2004-01-04 does not follow 2004-01-05"},
		{"NAN", `line 3: Close "NaN" is not a positive finite number`},
		{"INF", `line 3: Close "+Inf" is not a positive finite number`},
		{"NEGATIVE", `line 3: Close "-3" is not a positive finite number`},
		{"GARBLED", `line 7: Close "1O.7" is not a positive finite number`},
		{"TRUNCATED", "line 8: 2 columns, want 7"},
	}
	for _, c := range cases {
		t.Run(c.ticker, func(t *testing.T) {
			path := filepath.Join("testdata", "sp500", "stocks", stockFile(c.ticker))
			_, err := readStock(path, c.ticker, 20040101, 20161231, new([]byte))
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), stockFile(c.ticker)) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrBadData naming %s and %q", err, stockFile(c.ticker), c.want)
			}
		})
	}
	s, err := readStock(filepath.Join("testdata", "sp500", "stocks", "good.us.txt"), "GOOD", 20040103, 20040105, new([]byte))
	if err != nil || len(s.dates) != 3 || s.close[0] != 10.3 || s.dates[2] != 20040105 {
		t.Errorf("window 2004-01-03..05: %+v, %v", s, err)
	}
	// A ticker of the universe without a price file.
	_, err = LoadSP500(context.Background(), "testdata", SP500Options{Tickers: []string{"GOOD", "ZZZZ"}, NAssets: 1})
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "zzzz.us.txt") {
		t.Errorf("missing ticker: err = %v", err)
	}
	// Too short a window for the 365-day features (the fixture's
	// constituents.csv is not the published one).
	_, err = LoadSP500(context.Background(), "testdata", SP500Options{Tickers: []string{"GOOD"}, NAssets: 1, AcceptChangedData: true})
	if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), "7 trading days") {
		t.Errorf("short window: err = %v", err)
	}
}

func TestSyntheticReferenceBadInput(t *testing.T) {
	_, err := LoadSyntheticReference("testdata", SyntheticOptions{})
	if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), "reference_seed1_X.csv line 3: 1 columns, want 2") {
		t.Errorf("err = %v", err)
	}
	_, err = LoadSyntheticReference(t.TempDir(), SyntheticOptions{})
	if !errors.Is(err, ErrMissing) {
		t.Errorf("absent draw: err = %v", err)
	}
}

func TestOptionErrors(t *testing.T) {
	for name, err := range map[string]error{
		"pjm norm": func() error {
			_, err := LoadPJM("testdata", PJMOptions{Files: []string{"good.txt"}, Norm: "zscore"})
			return err
		}(),
		"pjm hold_frac": func() error {
			_, err := LoadPJM("testdata", PJMOptions{Files: []string{"good.txt"}, HoldFrac: 1.5})
			return err
		}(),
		"sp500 layout": func() error {
			_, err := LoadSP500(context.Background(), "testdata", SP500Options{Layout: "asset_major"})
			return err
		}(),
		"sp500 n_assets": func() error {
			_, err := LoadSP500(context.Background(), "testdata", SP500Options{Tickers: []string{"GOOD"}, NAssets: 2})
			return err
		}(),
		"sp500 duplicate": func() error {
			_, err := LoadSP500(context.Background(), "testdata", SP500Options{Tickers: []string{"GOOD", "GOOD"}, NAssets: 1})
			return err
		}(),
	} {
		if !errors.Is(err, ErrOption) {
			t.Errorf("%s: err = %v, want ErrOption", name, err)
		}
	}
}
