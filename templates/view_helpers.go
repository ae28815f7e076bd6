package templates

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"breachdesk/internal/cases"
)

func itoa(n int) string      { return strconv.Itoa(n) }
func i64(n int64) string     { return strconv.FormatInt(n, 10) }
func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tri shows a yes/no/unknown fact.
func tri(b *bool) string {
	switch {
	case b == nil:
		return "Not known"
	case *b:
		return "Yes"
	}
	return "No"
}

// labels joins the labels of values from opts.
func labels(opts []cases.Option, values []string) string {
	if len(values) == 0 {
		return "None recorded"
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = cases.Label(opts, v)
	}
	return strings.Join(out, ", ")
}

// remaining says how long is left until due, or how long it is overdue.
func remaining(due, now time.Time) string {
	d := due.Sub(now).Round(time.Minute)
	suffix := " left"
	if d <= 0 {
		d, suffix = -d, " overdue"
	}
	h := int(d.Hours())
	return strconv.Itoa(h/24) + "d " + strconv.Itoa(h%24) + "h " + strconv.Itoa(int(d.Minutes())%60) + "m" + suffix
}

var bandLabels = map[cases.Band]string{
	cases.BandOK: "On track", cases.BandSoon: "Under 24 h", cases.BandCritical: "Under 6 h", cases.BandOverdue: "Overdue",
}

// pageURL returns path with q's values and page set.
func pageURL(path string, q url.Values, page int) string {
	v := url.Values{}
	for k, vals := range q {
		v[k] = vals
	}
	v.Set("page", strconv.Itoa(page))
	return path + "?" + v.Encode()
}
