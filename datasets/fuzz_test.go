package datasets

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParsePJM feeds arbitrary bytes to the PJM parser: it must not panic,
// and whatever it accepts must have strictly increasing timestamps and
// finite values.
func FuzzParsePJM(f *testing.F) {
	for _, name := range []string{"good.txt", "dst_duplicate.txt", "garbled.txt", "truncated.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "pjm", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	loc, err := time.LoadLocation(pjmZone)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := parsePJM("fuzz.txt", b, loc)
		if err != nil {
			return
		}
		for i, l := range lines {
			if i > 0 && l.ts <= lines[i-1].ts {
				t.Fatalf("accepted timestamps %d then %d", lines[i-1].ts, l.ts)
			}
		}
		tab := &dayTable{file: "fuzz.txt"}
		if err := tab.pivot(lines, loc); err == nil {
			tab.fill()
		}
	})
}

// FuzzParseStock feeds arbitrary bytes to the price-file parser: it must not
// panic, and what it accepts must be increasing dates with positive closes.
func FuzzParseStock(f *testing.F) {
	for _, name := range []string{"good.us.txt", "order.us.txt", "truncated.us.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "sp500", "stocks", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseStock("fuzz.us.txt", b, "FUZZ", 20000101, 20201231)
		if err != nil {
			return
		}
		for i, d := range s.dates {
			if _, ok := parseDate([]byte(formatDate(d))); !ok || i > 0 && d <= s.dates[i-1] || !(s.close[i] > 0) {
				t.Fatalf("accepted row %d: %d %v", i, d, s.close[i])
			}
		}
	})
}
