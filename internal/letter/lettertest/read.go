// Package lettertest reads generated letters back for tests: the text of
// each PDF page and the smallest type used, and the text of a DOCX.
package lettertest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strings"

	"github.com/ledongthuc/pdf"
)

// PDF is what a test can read off a PDF.
type PDF struct {
	Pages   []string // each page's text in reading order
	MinSize float64  // the smallest font size used, in points
	Title   string
}

// Text is every page's text joined.
func (p PDF) Text() string { return strings.Join(p.Pages, "\n") }

// PDFText extracts a PDF's text with poppler's pdftotext, which reads the
// embedded Unicode fonts' character maps (the Go reader does not).
func PDFText(data []byte) (string, error) {
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", errors.New("pdftotext not found: run `make test`, which installs poppler-utils")
	}
	cmd := exec.Command(path, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext: %w", err)
	}
	return string(out), nil
}

// ReadPDF parses data as a PDF and extracts its text.
func ReadPDF(data []byte) (PDF, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return PDF{}, fmt.Errorf("read PDF: %w", err)
	}
	out := PDF{MinSize: math.Inf(1)}
	if info := r.Trailer().Key("Info"); !info.IsNull() {
		out.Title = info.Key("Title").Text()
	}
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		text, err := p.GetPlainText(nil)
		if err != nil {
			return out, fmt.Errorf("page %d: %w", i, err)
		}
		out.Pages = append(out.Pages, text)
		for _, t := range p.Content().Text {
			if strings.TrimSpace(t.S) != "" && t.FontSize < out.MinSize {
				out.MinSize = t.FontSize
			}
		}
	}
	return out, nil
}

// DOCXText returns the text of a Word document's body, one line per
// paragraph, and of its footer.
func DOCXText(data []byte) (body, footer string, err error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", "", fmt.Errorf("read DOCX: %w", err)
	}
	read := func(name string) (string, error) {
		f, err := z.Open(name)
		if err != nil {
			return "", fmt.Errorf("DOCX part %s: %w", name, err)
		}
		defer f.Close()
		var b strings.Builder
		d := xml.NewDecoder(f)
		inText := false
		for {
			tok, err := d.Token()
			if err == io.EOF {
				return b.String(), nil
			} else if err != nil {
				return "", fmt.Errorf("DOCX part %s: %w", name, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inText = tok.Name.Local == "t"
				if tok.Name.Local == "tab" {
					b.WriteString("\t")
				}
			case xml.EndElement:
				inText = false
				if tok.Name.Local == "p" {
					b.WriteString("\n")
				}
			case xml.CharData:
				if inText {
					b.Write(tok)
				}
			}
		}
	}
	if body, err = read("word/document.xml"); err != nil {
		return "", "", err
	}
	footer, err = read("word/footer1.xml")
	return body, footer, err
}
