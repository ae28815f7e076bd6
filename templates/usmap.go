package templates

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"

	"breachdesk/internal/residents"
)

// tilePos places each jurisdiction on a tile-grid map of the United States
// (row, column): every state the same size, so small states stay legible.
var tilePos = map[string][2]int{
	"AK": {0, 0}, "ME": {0, 11},
	"VT": {1, 10}, "NH": {1, 11},
	"WA": {2, 1}, "ID": {2, 2}, "MT": {2, 3}, "ND": {2, 4}, "MN": {2, 5}, "IL": {2, 6}, "WI": {2, 7}, "MI": {2, 8}, "NY": {2, 9}, "RI": {2, 10}, "MA": {2, 11},
	"OR": {3, 1}, "NV": {3, 2}, "WY": {3, 3}, "SD": {3, 4}, "IA": {3, 5}, "IN": {3, 6}, "OH": {3, 7}, "PA": {3, 8}, "NJ": {3, 9}, "CT": {3, 10},
	"CA": {4, 1}, "UT": {4, 2}, "CO": {4, 3}, "NE": {4, 4}, "MO": {4, 5}, "KY": {4, 6}, "WV": {4, 7}, "VA": {4, 8}, "MD": {4, 9}, "DE": {4, 10},
	"AZ": {5, 2}, "NM": {5, 3}, "KS": {5, 4}, "AR": {5, 5}, "TN": {5, 6}, "NC": {5, 7}, "SC": {5, 8}, "DC": {5, 9},
	"OK": {6, 4}, "LA": {6, 5}, "MS": {6, 6}, "AL": {6, 7}, "GA": {6, 8},
	"HI": {7, 0}, "TX": {7, 4}, "FL": {7, 9}, "PR": {7, 11},
	"GU": {8, 0}, "MP": {8, 1}, "AS": {8, 2}, "VI": {8, 11},
}

// mapShades are the fills for no residents and for five bands of counts,
// light to dark; labels switch to white on the two darkest.
var mapShades = []string{"#eef1f4", "#d6e6f5", "#a9cbe8", "#6fa8d6", "#2f7bbf", "#0b4f8a"}

// USMap draws the counts on a tile-grid map as SVG, on the server: no
// scripts, tiles or fonts from elsewhere. Each tile names its state and
// count (as text and as an accessible title), so colour is not the only
// signal.
func USMap(states []residents.StateCount) templ.Component {
	counts := map[string]int64{}
	var top int64
	for _, s := range states {
		counts[s.Code] = s.Count
		top = max(top, s.Count)
	}
	const size, gap = 56, 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="usmap" viewBox="0 0 %d %d" role="img" aria-labelledby="usmap-title" data-testid="usmap" xmlns="http://www.w3.org/2000/svg">`,
		12*(size+gap), 9*(size+gap))
	b.WriteString(`<title id="usmap-title">Affected residents by state</title>`)
	for _, j := range residents.Jurisdictions {
		pos, ok := tilePos[j.Code]
		if !ok {
			continue
		}
		n := counts[j.Code]
		band := 0
		if n > 0 && top > 0 {
			band = 1 + int(4*float64(n-1)/float64(max(top, 1)))
			band = min(band, 5)
		}
		x, y := pos[1]*(size+gap), pos[0]*(size+gap)
		ink := "#1b1f24"
		if band >= 4 {
			ink = "#ffffff"
		}
		fmt.Fprintf(&b, `<g data-state="%s" data-count="%d"><title>%s: %d</title>`, j.Code, n, templ.EscapeString(j.Name), n)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#8a949e" stroke-width="1"/>`, x, y, size, size, mapShades[band])
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="15" font-weight="700" fill="%s">%s</text>`, x+size/2, y+24, ink, j.Code)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="%s">%s</text>`, x+size/2, y+43, ink, compact(n))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return templ.Raw(b.String())
}

// compact writes 1234567 as 1.2M, 12345 as 12k.
func compact(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
