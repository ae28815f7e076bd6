package letter

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteDOCX writes l as a Word document (Office Open XML) that counsel can
// edit: the same letterhead, address block and body as the PDF, the
// "# " title and "## " headings as Word's Title and Heading 1 styles, and
// the footer with page numbers. No Go library for writing DOCX is served
// to us, and the format needs only four small XML parts, so they are
// written here with encoding/xml's escaping.
func WriteDOCX(w io.Writer, l Letter, created time.Time) error {
	z := zip.NewWriter(w)
	var body bytes.Buffer
	p := func(style string, spans []span, indent bool) {
		body.WriteString("<w:p>")
		if style != "" || indent {
			body.WriteString("<w:pPr>")
			if style != "" {
				fmt.Fprintf(&body, `<w:pStyle w:val="%s"/>`, style)
			}
			if indent {
				body.WriteString(`<w:ind w:left="567" w:hanging="283"/>`)
			}
			body.WriteString("</w:pPr>")
		}
		for _, s := range spans {
			run(&body, s)
		}
		body.WriteString("</w:p>")
	}
	head := l.Letterhead
	p("Letterhead", []span{{Text: head.Name, Bold: true}}, false)
	for _, line := range []string{head.Address, strings.Trim(head.Phone+" · "+head.Email, " ·")} {
		if strings.TrimSpace(line) != "" {
			p("Letterhead", []span{{Text: line}}, false)
		}
	}
	p("", nil, false)
	for _, line := range l.Recipient {
		p("", []span{{Text: line}}, false)
	}
	if len(l.Recipient) > 0 {
		p("", nil, false)
	}
	for _, b := range blocksOf(l.Body) {
		switch b.Kind {
		case title:
			p("Title", b.Spans, false)
		case heading:
			p("Heading1", b.Spans, false)
		case bullet:
			p("", append([]span{{Text: "•\t"}}, b.Spans...), true)
		case numbered:
			p("", append([]span{{Text: fmt.Sprintf("%d.\t", b.N)}}, b.Spans...), true)
		case rule:
			p("", []span{{Text: "———"}}, false)
		default:
			p("", b.Spans, false)
		}
	}

	var footer bytes.Buffer
	footer.WriteString(`<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>`)
	run(&footer, span{Text: l.Footer + "    Page "})
	field(&footer, "PAGE")
	run(&footer, span{Text: " of "})
	field(&footer, "NUMPAGES")
	footer.WriteString(`</w:p>`)

	parts := []struct{ name, content string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/styles.xml", styles},
		{"word/document.xml", xmlHeader + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>` + body.String() +
			`<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="12240" w:h="15840"/>` +
			`<w:pgMar w:top="1418" w:right="1418" w:bottom="1418" w:left="1418" w:header="708" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>`},
		{"word/footer1.xml", xmlHeader + `<w:ftr xmlns:w="` + nsW + `" xmlns:r="` + nsR + `">` + footer.String() + `</w:ftr>`},
	}
	for _, part := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: part.name, Method: zip.Deflate, Modified: created})
		if err != nil {
			return fmt.Errorf("write %s: %w", part.name, err)
		}
		if _, err := io.WriteString(f, part.content); err != nil {
			return fmt.Errorf("write %s: %w", part.name, err)
		}
	}
	return z.Close()
}

// run writes one styled run; tabs and line breaks become Word's own.
func run(b *bytes.Buffer, s span) {
	b.WriteString("<w:r>")
	if s.Bold || s.Italic {
		b.WriteString("<w:rPr>")
		if s.Bold {
			b.WriteString("<w:b/>")
		}
		if s.Italic {
			b.WriteString("<w:i/>")
		}
		b.WriteString("</w:rPr>")
	}
	for i, line := range strings.Split(s.Text, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		for j, part := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString("<w:tab/>")
			}
			if part != "" {
				b.WriteString(`<w:t xml:space="preserve">`)
				_ = xml.EscapeText(b, []byte(part)) // a bytes.Buffer does not fail
				b.WriteString("</w:t>")
			}
		}
	}
	b.WriteString("</w:r>")
}

// field writes a Word field (PAGE, NUMPAGES) that Word fills when it lays
// out the page.
func field(b *bytes.Buffer, name string) {
	fmt.Fprintf(b, `<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> %s </w:instrText></w:r>`+
		`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`, name)
}

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

	contentTypes = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
		`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
		`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
		`</Types>`

	rootRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
		`</Relationships>`

	documentRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
		`</Relationships>`

	// Sizes are in half-points: 22 is 11-point, 20 the 10-point minimum.
	styles = xmlHeader + `<w:styles xmlns:w="` + nsW + `">` +
		`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Letterhead"><w:name w:val="Letterhead"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="20"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="20"/></w:rPr></w:style>` +
		`</w:styles>`
)
