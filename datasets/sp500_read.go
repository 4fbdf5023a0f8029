package datasets

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// stockHeader is the header of every price file (SOURCE.md "Format").
var stockHeader = []string{"Date", "Open", "High", "Low", "Close", "Volume", "OpenInt"}

// closeColumn is the index of Close, which stands in for Quandl's Adj. Close.
const closeColumn = 4

// stockSeries is one ticker's closes on the trading days of the window.
type stockSeries struct {
	ticker string
	dates  []string // YYYY-MM-DD, ascending
	close  []float64
}

// readStock reads a price file and keeps the rows with start ≤ Date ≤ end
// (YYYY-MM-DD strings compare like dates). Every line must have the seven
// columns and a valid, strictly increasing Date, so a garbled or truncated
// file is caught wherever the damage is; Close, the one column used, must be
// a finite positive number inside the window. The other columns are not parsed.
func readStock(path, ticker, start, end string) (*stockSeries, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ticker %s: read %s: %w: %w", ticker, path, ErrMissing, err)
	}
	file := filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path))
	return parseStock(file, b, ticker, start, end)
}

// parseStock parses the bytes of a price file named file (for messages).
func parseStock(file string, b []byte, ticker, start, end string) (*stockSeries, error) {
	s := &stockSeries{ticker: ticker}
	var prev []byte
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 && len(b) == 0 {
			break
		}
		if k := bytes.Count(line, []byte{','}) + 1; k != len(stockHeader) {
			return nil, lineError(file, n, "%d columns, want %d (%s)", k, len(stockHeader), strings.Join(stockHeader, ","))
		}
		if n == 1 {
			if h := string(line); h != strings.Join(stockHeader, ",") {
				return nil, lineError(file, 1, "header %q, want %q", h, strings.Join(stockHeader, ","))
			}
			continue
		}
		date, _, _ := bytes.Cut(line, []byte{','})
		if !validDate(date) {
			return nil, lineError(file, n, "date %q is not YYYY-MM-DD", date)
		}
		if prev != nil && bytes.Compare(date, prev) <= 0 {
			return nil, lineError(file, n, "date %s does not follow %s", date, prev)
		}
		prev = date
		if d := string(date); d < start || d > end {
			continue
		}
		c, err := parseField(line, closeColumn)
		if err != nil || math.IsNaN(c) || math.IsInf(c, 0) || c <= 0 {
			return nil, lineError(file, n, "Close %q is not a positive finite number", field(line, closeColumn))
		}
		s.dates = append(s.dates, string(date))
		s.close = append(s.close, c)
	}
	if prev == nil {
		return nil, fmt.Errorf("%s: no data lines: %w", file, ErrBadData)
	}
	return s, nil
}

// field returns the k-th (0-based) comma-separated field of line.
func field(line []byte, k int) []byte {
	for ; k > 0; k-- {
		_, line, _ = bytes.Cut(line, []byte{','})
	}
	f, _, _ := bytes.Cut(line, []byte{','})
	return f
}

func parseField(line []byte, k int) (float64, error) {
	return strconv.ParseFloat(string(field(line, k)), 64)
}

// validDate reports whether b is a real calendar date written YYYY-MM-DD.
func validDate(b []byte) bool {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return false
	}
	num := func(s []byte) int {
		v := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			v = 10*v + int(c-'0')
		}
		return v
	}
	y, m, d := num(b[:4]), num(b[5:7]), num(b[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}
