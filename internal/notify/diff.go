package notify

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DiffPart is a run of words that is the same in both versions, or only
// in the old ("delete") or the new ("insert").
type DiffPart struct {
	Op   string // "equal", "delete", "insert"
	Text string
}

// WordDiff compares two versions word by word (whitespace kept), using
// diffmatchpatch on words mapped to runes.
func WordDiff(old, new string) []DiffPart {
	index := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, w := range splitWords(s) {
			r, ok := index[w]
			if !ok {
				r = tokenRune(len(words))
				index[w] = r
				words = append(words, w)
			}
			out = append(out, r)
		}
		return out
	}
	a, b := encode(old), encode(new)
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffMainRunes(a, b, false)
	var out []DiffPart
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(words[tokenIndex(r)])
		}
		op := map[diffmatchpatch.Operation]string{diffmatchpatch.DiffEqual: "equal", diffmatchpatch.DiffDelete: "delete", diffmatchpatch.DiffInsert: "insert"}[d.Type]
		out = append(out, DiffPart{Op: op, Text: sb.String()})
	}
	return out
}

// Tokens are carried as private-use runes, which survive the library's
// rune-to-string round trips (surrogates would not).
func tokenRune(i int) rune {
	if i < 0xF900-0xE000 {
		return rune(0xE000 + i)
	}
	return rune(0xF0000 + i - (0xF900 - 0xE000))
}

func tokenIndex(r rune) int {
	if r < 0xF900 {
		return int(r - 0xE000)
	}
	return int(r-0xF0000) + (0xF900 - 0xE000)
}

// splitWords cuts s into words and the whitespace between them.
func splitWords(s string) []string {
	var out []string
	start := 0
	prevSpace := false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if i > start && space != prevSpace {
			out = append(out, s[start:i])
			start = i
		}
		prevSpace = space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
