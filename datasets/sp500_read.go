package datasets

import (
	"bytes"
	"fmt"
	"io"
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
	dates  []int32 // yyyymmdd, ascending
	close  []float64
}

// readStock reads a price file and keeps the rows with start ≤ Date ≤ end
// (yyyymmdd). buf is reused between calls to spare the allocation of each
// file's bytes. Every line must have the seven columns, a valid, strictly
// increasing Date and finite positive prices (Open, High, Low, Close), so a
// garbled or truncated file is caught wherever the damage is, inside the
// window or not. Volume and OpenInt are not parsed.
func readStock(path, ticker string, start, end int32, buf *[]byte) (*stockSeries, error) {
	b, err := readInto(path, buf)
	if err != nil {
		return nil, fmt.Errorf("ticker %s: read %s: %w: %w", ticker, path, ErrMissing, err)
	}
	file := filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path))
	return parseStock(file, b, ticker, start, end)
}

// readInto reads the file at path into *buf, growing it as needed.
func readInto(path string, buf *[]byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if int64(cap(*buf)) < st.Size() {
		*buf = make([]byte, st.Size())
	}
	b := (*buf)[:st.Size()]
	_, err = io.ReadFull(f, b)
	return b, err
}

// parseStock parses the bytes of a price file named file (for messages).
func parseStock(file string, b []byte, ticker string, start, end int32) (*stockSeries, error) {
	s := &stockSeries{ticker: ticker}
	prev := int32(-1)
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
		field0, _, _ := bytes.Cut(line, []byte{','})
		date, ok := parseDate(field0)
		if !ok {
			return nil, lineError(file, n, "date %q is not YYYY-MM-DD", field0)
		}
		if date <= prev {
			return nil, lineError(file, n, "date %s does not follow %s", field0, formatDate(prev))
		}
		prev = date
		c, err := checkPrices(file, n, line)
		if err != nil {
			return nil, err
		}
		if date < start || date > end {
			continue
		}
		s.dates = append(s.dates, date)
		s.close = append(s.close, c)
	}
	if prev < 0 {
		return nil, fmt.Errorf("%s: no data lines: %w", file, ErrBadData)
	}
	return s, nil
}

// checkPrices checks that the four price columns of a data line are finite
// positive numbers and returns Close.
func checkPrices(file string, n int, line []byte) (float64, error) {
	var c float64
	for k := 1; k <= closeColumn; k++ {
		v, err := parseField(line, k)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return 0, lineError(file, n, "%s %q is not a positive finite number", stockHeader[k], field(line, k))
		}
		c = v
	}
	return c, nil
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

// parseDate parses a real calendar date written YYYY-MM-DD as yyyymmdd.
func parseDate(b []byte) (int32, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
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
		return 0, false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return int32(y*10000 + m*100 + d), d <= days
}

// formatDate writes yyyymmdd as YYYY-MM-DD.
func formatDate(v int32) string {
	return fmt.Sprintf("%04d-%02d-%02d", v/10000, v/100%100, v%100)
}
