package datasets

import (
	"sort"
	"time"
)

// USFederalHolidays returns the observed US federal holidays in [start, end]
// (dates at UTC midnight, ascending), by the rules of pandas'
// USFederalHolidayCalendar that the reference uses for its holiday feature
// (power.md §1.3): New Year's Day, Independence Day, Veterans Day and
// Christmas on their date moved to the nearest workday (Saturday → Friday,
// Sunday → Monday); Martin Luther King Jr. Day (3rd Monday of January, from
// 1986), Presidents' Day (3rd Monday of February), Memorial Day (last Monday
// of May), Labor Day (1st Monday of September), Columbus Day (2nd Monday of
// October) and Thanksgiving (4th Thursday of November). Juneteenth (from 2021)
// is included as pandas ≥ 1.5 does. An observed date counts when it falls in
// the range even if the holiday's own date does not (New Year 2011 is
// observed on 2010-12-31).
func USFederalHolidays(start, end time.Time) []time.Time {
	start, end = civil(start), civil(end)
	seen := map[time.Time]bool{}
	var out []time.Time
	for y := start.Year() - 1; y <= end.Year()+1; y++ {
		for _, h := range federalHolidays(y) {
			if !h.Before(start) && !h.After(end) && !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// federalHolidays returns the observed holidays of year y (some may fall in
// y−1 or y+1 after the nearest-workday shift).
func federalHolidays(y int) []time.Time {
	hs := []time.Time{
		nearestWorkday(day(y, time.January, 1)),
		nthWeekday(y, time.February, time.Monday, 3),
		lastWeekday(y, time.May, time.Monday),
		nearestWorkday(day(y, time.July, 4)),
		nthWeekday(y, time.September, time.Monday, 1),
		nthWeekday(y, time.October, time.Monday, 2),
		nearestWorkday(day(y, time.November, 11)),
		nthWeekday(y, time.November, time.Thursday, 4),
		nearestWorkday(day(y, time.December, 25)),
	}
	if y >= 1986 {
		hs = append(hs, nthWeekday(y, time.January, time.Monday, 3))
	}
	if y >= 2021 {
		hs = append(hs, nearestWorkday(day(y, time.June, 19)))
	}
	return hs
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// civil drops the clock time and zone, keeping the calendar date.
func civil(t time.Time) time.Time { return day(t.Year(), t.Month(), t.Day()) }

// nearestWorkday moves a Saturday to Friday and a Sunday to Monday.
func nearestWorkday(t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, -1)
	case time.Sunday:
		return t.AddDate(0, 0, 1)
	}
	return t
}

// nthWeekday returns the n-th (1-based) weekday wd of month m in year y.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	first := day(y, m, 1)
	shift := (int(wd) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, shift+7*(n-1))
}

// lastWeekday returns the last weekday wd of month m in year y.
func lastWeekday(y int, m time.Month, wd time.Weekday) time.Time {
	last := day(y, m+1, 0)
	shift := (int(last.Weekday()) - int(wd) + 7) % 7
	return last.AddDate(0, 0, -shift)
}
