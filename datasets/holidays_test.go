package datasets

import (
	"slices"
	"testing"
	"time"
)

// ruleDate reports whether h is a holiday on its own date: a fixed-date
// holiday on that date, or the n-th weekday of its month, stated here by day
// ranges rather than by counting (3rd Monday = day 15–21, and so on).
func ruleDate(h time.Time) bool {
	m, d, wd := h.Month(), h.Day(), h.Weekday()
	switch {
	case m == time.January && d == 1, m == time.July && d == 4, m == time.November && d == 11, m == time.December && d == 25:
		return true
	case wd == time.Monday && (m == time.January || m == time.February) && d >= 15 && d <= 21:
		return true
	case wd == time.Monday && m == time.May && d >= 25:
		return true
	case wd == time.Monday && m == time.September && d <= 7:
		return true
	case wd == time.Monday && m == time.October && d >= 8 && d <= 14:
		return true
	case wd == time.Thursday && m == time.November && d >= 22 && d <= 28:
		return true
	}
	return false
}

// TestUSFederalHolidays checks power.md §1.3: 90 holidays in 2008–2016, none
// on a weekend, and exactly the listed dates moved off the holiday's date.
func TestUSFederalHolidays(t *testing.T) {
	hs := USFederalHolidays(day(2008, 1, 1), day(2016, 12, 31))
	if len(hs) != 90 {
		t.Fatalf("%d holidays, want 90", len(hs))
	}
	var shifted []string
	for _, h := range hs {
		if wd := h.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s falls on a %s", h.Format(time.DateOnly), wd)
		}
		if !ruleDate(h) {
			shifted = append(shifted, h.Format(time.DateOnly))
		}
	}
	want := []string{"2009-07-03", "2010-07-05", "2010-12-24", "2010-12-31", "2011-12-26", "2012-01-02", "2012-11-12", "2015-07-03", "2016-12-26"}
	if !slices.Equal(shifted, want) {
		t.Errorf("shifted dates %v, want %v", shifted, want)
	}
	for _, s := range []string{"2008-01-21", "2012-05-28", "2015-11-26", "2016-10-10", "2014-09-01", "2013-02-18"} {
		d, _ := time.Parse(time.DateOnly, s)
		if !slices.ContainsFunc(hs, d.Equal) {
			t.Errorf("%s missing", s)
		}
	}
	// A range that ends before the observed date of the next New Year keeps it out.
	if hs := USFederalHolidays(day(2016, 12, 1), day(2016, 12, 31)); len(hs) != 1 {
		t.Errorf("December 2016: %v", hs)
	}
}
