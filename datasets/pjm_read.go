package datasets

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"
	_ "time/tzdata" // America/New_York must resolve on machines without a zone database
)

// pjmZone is the local time of the PJM files (power.md §1.2).
const pjmZone = "America/New_York"

// constTempHours is the length of a run of identical hourly temperatures
// that is reported as corrupt: real temperatures do not stay equal for 3 days.
const constTempHours = 72

// dayTable holds one PJM file pivoted to days × hours (power.md §1.2).
type dayTable struct {
	file       string      // base name, for messages
	dates      []time.Time // consecutive local dates, at UTC midnight
	load, temp [][24]float64
	missing    int      // cells filled from neighbouring hours
	warnings   []string // data problems that did not stop the load
}

// pjmLine is one parsed line of a PJM file.
type pjmLine struct {
	ts         int64
	load, temp float64
	line       int
}

// readPJM parses a PJM file, drops duplicated timestamps and pivots it to a
// day × hour table filled within each day (backward, then forward).
func readPJM(path string, loc *time.Location) (*dayTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: %w", path, ErrMissing, err)
	}
	t := &dayTable{file: filepath.Base(path)}
	lines, err := parsePJM(t.file, b, loc)
	if err != nil {
		return nil, err
	}
	if err := t.pivot(lines, loc); err != nil {
		return nil, err
	}
	t.fill()
	t.detectConstantTemp(lines, loc)
	return t, nil
}

// parsePJM parses the lines " <unix_ts> <load> <temp>" and checks that the
// timestamps increase. A repeated timestamp is dropped (keeping the first)
// when it repeats the same values on a day the clocks change, which is how
// the 2008–11 file repeats 03:00 EDT on spring-forward days; any other
// repetition or decrease is an error.
func parsePJM(file string, b []byte, loc *time.Location) ([]pjmLine, error) {
	var out []pjmLine
	var prevRaw []byte
	for n := 1; len(b) > 0; n++ {
		var raw []byte
		var newline bool
		raw, b, newline = bytes.Cut(b, []byte{'\n'})
		raw = bytes.TrimRight(raw, "\r")
		if len(bytes.TrimSpace(raw)) == 0 {
			if len(b) == 0 {
				break
			}
			return nil, lineError(file, n, "empty line")
		}
		l, err := parsePJMLine(file, n, raw)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			if err := checkLastLine(file, n, raw, prevRaw, newline); err != nil {
				return nil, err
			}
		}
		prevRaw = raw
		if k := len(out); k > 0 {
			prev := out[k-1]
			switch {
			case l.ts < prev.ts:
				return nil, lineError(file, n, "timestamp %d is before %d on line %d", l.ts, prev.ts, prev.line)
			case l.ts == prev.ts:
				if l.load != prev.load || l.temp != prev.temp || !clockChangeDay(time.Unix(l.ts, 0).In(loc)) {
					return nil, lineError(file, n, "timestamp %d repeats line %d", l.ts, prev.line)
				}
				continue
			}
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no data lines: %w", file, ErrBadData)
	}
	return out, nil
}

// checkLastLine refuses a last line that a cut file leaves behind: one
// without its newline, or one with a field shorter than the same field of
// the line before (the files write every number as %.8e, so "3.7" where
// "3.71350000e+01" belongs is the start of a number, not a number).
func checkLastLine(file string, n int, raw, prev []byte, newline bool) error {
	if !newline {
		return lineError(file, n, "the last line has no newline: the file was cut short (fetch it again)")
	}
	if prev == nil {
		return nil
	}
	f, p := bytes.Fields(raw), bytes.Fields(prev)
	for i := range min(len(f), len(p)) {
		got, want := bytes.TrimLeft(f[i], "+-"), bytes.TrimLeft(p[i], "+-")
		if len(got) < len(want) {
			return lineError(file, n, "column %d of the last line, %q, is shorter than on line %d (%q): the file was cut short", i+1, f[i], n-1, p[i])
		}
	}
	return nil
}

func parsePJMLine(file string, n int, raw []byte) (pjmLine, error) {
	f := bytes.Fields(raw)
	if len(f) != 3 {
		return pjmLine{}, lineError(file, n, "%d columns, want 3 (time load temp)", len(f))
	}
	var v [3]float64
	for i, s := range f {
		x, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return pjmLine{}, lineError(file, n, "column %d: %q is not a number", i+1, s)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return pjmLine{}, lineError(file, n, "column %d is %v", i+1, x)
		}
		v[i] = x
	}
	if v[0] != math.Trunc(v[0]) || v[0] < 0 || v[0] > 1<<40 {
		return pjmLine{}, lineError(file, n, "time %v is not a whole number of epoch seconds", v[0])
	}
	return pjmLine{ts: int64(v[0]), load: v[1], temp: v[2], line: n}, nil
}

// clockChangeDay reports whether the UTC offset changes during t's local day.
func clockChangeDay(t time.Time) bool {
	y, m, d := t.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	end := time.Date(y, m, d, 23, 59, 0, 0, t.Location())
	_, o1 := start.Zone()
	_, o2 := end.Zone()
	return o1 != o2
}

// pivot places each reading in its (local date, hour) cell. Two readings in
// one cell (pandas' pivot raises on them) and a day without any reading (the
// day d−1 / day d pairing would skip it) are errors.
func (t *dayTable) pivot(lines []pjmLine, loc *time.Location) error {
	nan := [24]float64{}
	for i := range nan {
		nan[i] = math.NaN()
	}
	var where [][24]int // line of each filled cell, for the collision message
	for _, l := range lines {
		lt := time.Unix(l.ts, 0).In(loc)
		date := civil(lt)
		k := len(t.dates) - 1
		if k < 0 || date.After(t.dates[k]) {
			if k >= 0 && !date.Equal(t.dates[k].AddDate(0, 0, 1)) {
				return lineError(t.file, l.line, "no readings between %s and %s", t.dates[k].Format(time.DateOnly), date.Format(time.DateOnly))
			}
			t.dates = append(t.dates, date)
			where = append(where, [24]int{})
			t.load = append(t.load, nan)
			t.temp = append(t.temp, nan)
			k++
		}
		h := lt.Hour()
		if prev := where[k][h]; prev != 0 {
			return lineError(t.file, l.line, "local time %s falls in the same hour as line %d", lt.Format("2006-01-02 15:04 MST"), prev)
		}
		where[k][h] = l.line
		t.load[k][h], t.temp[k][h] = l.load, l.temp
	}
	return nil
}

// fill replaces missing cells within each day: first by the next hour's
// value (backward fill), then by the previous hour's (forward fill), as the
// reference's fillna("backfill") then fillna("ffill") along hours.
func (t *dayTable) fill() {
	for k := range t.dates {
		n := fillDay(&t.load[k])
		fillDay(&t.temp[k])
		t.missing += n
		if n >= 12 {
			t.warnings = append(t.warnings, fmt.Sprintf("%s: %s has %d of 24 hours missing; they repeat the nearest hour",
				t.file, t.dates[k].Format(time.DateOnly), n))
		}
	}
}

// fillDay fills one day's NaN cells and returns how many there were.
func fillDay(v *[24]float64) int {
	missing := 0
	for h := 23; h >= 0; h-- {
		if math.IsNaN(v[h]) {
			missing++
			if h < 23 {
				v[h] = v[h+1]
			}
		}
	}
	for h := 1; h < 24; h++ {
		if math.IsNaN(v[h]) {
			v[h] = v[h-1]
		}
	}
	return missing
}

// detectConstantTemp reports runs of at least constTempHours identical
// hourly temperatures: the 2012–16 file's temperature is constant at 1.4
// from 2014-01-24 on (power.md §7.1), so every test day has the same
// temperature features.
func (t *dayTable) detectConstantTemp(lines []pjmLine, loc *time.Location) {
	start := 0
	for i := 1; i <= len(lines); i++ {
		if i < len(lines) && lines[i].temp == lines[start].temp {
			continue
		}
		if hours := i - start; hours >= constTempHours {
			from := time.Unix(lines[start].ts, 0).In(loc)
			to := time.Unix(lines[i-1].ts, 0).In(loc)
			days := int(civil(to).Sub(civil(from)).Hours()/24) + 1
			t.warnings = append(t.warnings, fmt.Sprintf(
				"%s: temperature constant at %v from %s to %s (%d readings, %d days, lines %d–%d); the temperature features carry no information there",
				t.file, lines[start].temp, from.Format("2006-01-02 15:04 MST"), to.Format("2006-01-02 15:04 MST"),
				hours, days, lines[start].line, lines[i-1].line))
		}
		start = i
	}
}
