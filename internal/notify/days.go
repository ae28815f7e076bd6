package notify

import "time"

// FederalHolidays returns the US federal holidays of year as observed
// (5 U.S.C. § 6103: a Saturday holiday is observed the Friday before, a
// Sunday one the Monday after).
func FederalHolidays(year int) []time.Time {
	d := func(m time.Month, day int) time.Time { return time.Date(year, m, day, 0, 0, 0, 0, time.UTC) }
	nth := func(m time.Month, wd time.Weekday, n int) time.Time {
		t := d(m, 1)
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, 1)
		}
		return t.AddDate(0, 0, 7*(n-1))
	}
	last := func(m time.Month, wd time.Weekday) time.Time {
		t := d(m+1, 1).AddDate(0, 0, -1)
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, -1)
		}
		return t
	}
	observed := func(t time.Time) time.Time {
		switch t.Weekday() {
		case time.Saturday:
			return t.AddDate(0, 0, -1)
		case time.Sunday:
			return t.AddDate(0, 0, 1)
		}
		return t
	}
	return []time.Time{
		observed(d(time.January, 1)),
		nth(time.January, time.Monday, 3),  // Birthday of Martin Luther King, Jr.
		nth(time.February, time.Monday, 3), // Washington's Birthday
		last(time.May, time.Monday),        // Memorial Day
		observed(d(time.June, 19)),         // Juneteenth
		observed(d(time.July, 4)),
		nth(time.September, time.Monday, 1), // Labor Day
		nth(time.October, time.Monday, 2),   // Columbus Day
		observed(d(time.November, 11)),      // Veterans Day
		nth(time.November, time.Thursday, 4),
		observed(d(time.December, 25)),
	}
}

// isBusinessDay reports whether the date (year, month, day of t) is a
// weekday that is not a federal holiday.
func isBusinessDay(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	date := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for _, year := range []int{t.Year(), t.Year() + 1} { // Jan 1 observed on Dec 31
		for _, h := range FederalHolidays(year) {
			if h.Equal(date) {
				return false
			}
		}
	}
	return true
}

// endOfDay is the last minute of t's date in loc.
func endOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 0, 0, loc)
}

// addDays returns the end of the day n calendar or business days after
// anchor's date in loc. The anchor's own day is day zero.
func addDays(anchor time.Time, n int, business bool, loc *time.Location) time.Time {
	a := anchor.In(loc)
	day := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, loc) // noon: DST-safe date stepping
	if !business {
		return endOfDay(day.AddDate(0, 0, n), loc)
	}
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if isBusinessDay(day) {
			counted++
		}
	}
	return endOfDay(day, loc)
}
