package templates

import (
	"encoding/hex"
	"fmt"
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

// remaining says how long is left until due, or how long it is overdue,
// to the second (static/app.js keeps the same format while it counts).
func remaining(due, now time.Time) string {
	d := due.Sub(now).Truncate(time.Second)
	suffix := " left"
	if d <= 0 {
		d, suffix = -d, " overdue"
	}
	secs := int(d.Seconds())
	return fmt.Sprintf("%dd %02dh %02dm %02ds%s", secs/86400, secs%86400/3600, secs%3600/60, secs%60, suffix)
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

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// orNot shows an empty text as "Not recorded".
func orNot(s string) string {
	if s == "" {
		return "Not recorded"
	}
	return s
}
