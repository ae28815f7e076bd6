// Package letter lays out a notice written in Markdown as a printed letter:
// a PDF with the organisation's letterhead, at least 10-point type and page
// numbers, and a DOCX for counsel who edit in Word. It knows nothing of
// cases or HTTP.
package letter

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// MinPointSize is the smallest type either output uses; statutes such as
// California's ask for no less than 10-point.
const MinPointSize = 10

// Point sizes of the printed letter.
const (
	bodyPt    = 11
	headingPt = 13
	titlePt   = 16
	smallPt   = MinPointSize
)

// Letterhead is who the letter comes from.
type Letterhead struct {
	Name, Address, Email, Phone string
}

// Letter is one notice to lay out.
type Letter struct {
	Letterhead Letterhead
	// Recipient is the address block, one line each; empty for a letter
	// not addressed to one person.
	Recipient []string
	// Body is the notice in Markdown: "# " title, "## " headings,
	// paragraphs, lists, *emphasis* and **strong**.
	Body string
	// Footer is printed small on every page beside the page number (the
	// case reference and the approved version's hash).
	Footer string
}

// blockKind is what a block of the letter is.
type blockKind int

const (
	para blockKind = iota
	title
	heading
	bullet
	numbered
	rule
)

// span is a run of text in one style.
type span struct {
	Text         string
	Bold, Italic bool
}

// block is a paragraph-level piece of the letter.
type block struct {
	Kind  blockKind
	Spans []span
	N     int // the item's number in a numbered list
}

// blocksOf parses Markdown into the blocks both outputs lay out. Raw HTML
// and images are dropped; links keep their text.
func blocksOf(md string) []block {
	src := []byte(md)
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	var out []block
	var walk func(n ast.Node, listKind blockKind, number *int)
	walk = func(n ast.Node, listKind blockKind, number *int) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Heading:
				k := heading
				if c.Level == 1 {
					k = title
				}
				out = append(out, block{Kind: k, Spans: inline(c, src)})
			case *ast.Paragraph, *ast.TextBlock:
				b := block{Kind: para, Spans: inline(c, src)}
				if listKind != para && c.PreviousSibling() == nil { // the first block of a list item carries the marker
					b.Kind = listKind
					if number != nil {
						b.N = *number
						*number++
					}
				}
				out = append(out, b)
			case *ast.List:
				if c.IsOrdered() {
					start := c.Start
					walk(c, numbered, &start)
				} else {
					walk(c, bullet, nil)
				}
			case *ast.ListItem:
				walk(c, listKind, number)
			case *ast.Blockquote:
				walk(c, para, nil)
			case *ast.ThematicBreak:
				out = append(out, block{Kind: rule})
			case *ast.FencedCodeBlock, *ast.CodeBlock:
				var b strings.Builder
				lines := c.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(src))
				}
				out = append(out, block{Kind: para, Spans: []span{{Text: strings.TrimRight(b.String(), "\n")}}})
			}
		}
	}
	walk(doc, para, nil)
	return out
}

// inline flattens a block's inline children into styled spans.
func inline(n ast.Node, src []byte) []span {
	var out []span
	add := func(s string, bold, italic bool) {
		if s == "" {
			return
		}
		if k := len(out) - 1; k >= 0 && out[k].Bold == bold && out[k].Italic == italic {
			out[k].Text += s
			return
		}
		out = append(out, span{s, bold, italic})
	}
	var walk func(n ast.Node, bold, italic bool)
	walk = func(n ast.Node, bold, italic bool) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				add(string(c.Segment.Value(src)), bold, italic)
				if c.HardLineBreak() {
					add("\n", bold, italic)
				} else if c.SoftLineBreak() {
					add(" ", bold, italic)
				}
			case *ast.String:
				add(string(c.Value), bold, italic)
			case *ast.CodeSpan:
				walk(c, bold, italic)
			case *ast.Emphasis:
				walk(c, bold || c.Level >= 2, italic || c.Level == 1)
			case *ast.AutoLink:
				add(string(c.URL(src)), bold, italic)
			case *ast.Link:
				walk(c, bold, italic)
			case *ast.Image, *ast.RawHTML:
				// not part of a printed notice
			default:
				walk(c, bold, italic)
			}
		}
	}
	walk(n, false, false)
	return out
}

// plain is a block's text without styles.
func (b block) plain() string {
	var s strings.Builder
	for _, sp := range b.Spans {
		s.WriteString(sp.Text)
	}
	return s.String()
}
