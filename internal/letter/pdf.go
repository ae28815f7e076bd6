package letter

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) prints the letters
// whose names or addresses the standard PDF fonts cannot: Ł, ř, ğ,
// Cyrillic, Greek. It is embedded only in those letters (about 25 KB
// each); the others use the standard fonts and stay small and fast.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVu []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuBold []byte
)

const unicodeFamily = "DejaVu"

// fontFor returns the font family to lay out texts with and how to map
// their characters: Helvetica in Windows-1252 when every character has a
// place there, else the embedded Unicode font.
func fontFor(pdf *fpdf.Fpdf, texts ...string) (family string, tr func(string) string) {
	for _, t := range texts {
		for _, r := range t {
			if _, ok := charmap.Windows1252.EncodeRune(r); !ok && r != '\n' && r != '\t' {
				// No italic is embedded (each font costs parse time per
				// letter): emphasis prints upright in these letters.
				return AddUnicodeFont(pdf), func(s string) string { return s }
			}
		}
	}
	return "Helvetica", toCP1252()
}

// toCP1252 maps UTF-8 to the code page of the PDF core fonts. It is built
// once: 1,000 letters should not parse the map 1,000 times. Characters
// outside the code page print as "?"; the standard fonts have no others.
var toCP1252 = sync.OnceValue(func() func(string) string {
	return fpdf.New("P", "mm", "Letter", "").UnicodeTranslatorFromDescriptor("")
})

// AddUnicodeFont embeds the Unicode font in pdf, for other documents laid
// out with fpdf (the case report), and returns its family name. Its
// styles are "" and "B".
func AddUnicodeFont(pdf *fpdf.Fpdf) string {
	pdf.AddUTF8FontFromBytes(unicodeFamily, "", dejaVu)
	pdf.AddUTF8FontFromBytes(unicodeFamily, "B", dejaVuBold)
	return unicodeFamily
}

// Page geometry in millimetres (US Letter, 25 mm margins).
const (
	margin     = 25.0
	lineFactor = 0.5 // line height in mm per point of type: 11 pt → 5.5 mm
)

// WritePDF lays out l as a print-ready PDF: letterhead on the first page,
// the recipient's address block when there is one, the body, and on every
// page the footer and "Page N of M". No type is smaller than MinPointSize.
// created is stamped as the document's date, so one letter always gives
// the same bytes.
func WritePDF(w io.Writer, l Letter, created time.Time) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	texts := append([]string{l.Letterhead.Name, l.Letterhead.Address, l.Letterhead.Email, l.Letterhead.Phone, l.Body, l.Footer}, l.Recipient...)
	family, tr := fontFor(pdf, texts...)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true) // fonts in a fixed order, so one letter always gives the same bytes
	pdf.SetCreator("Breachdesk", false)
	blocks := blocksOf(l.Body)
	pdf.SetTitle(titleOf(blocks), true)
	pdf.SetAuthor(l.Letterhead.Name, true)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-margin + 8)
		pdf.SetFont(family, "", smallPt)
		pdf.SetTextColor(90, 90, 90)
		width := pageWidth(pdf) - 2*margin
		pdf.CellFormat(width*0.75, 5, tr(l.Footer), "", 0, "L", false, 0, "")
		pdf.CellFormat(width*0.25, 5, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	// Letterhead.
	head := l.Letterhead
	pdf.SetFont(family, "B", headingPt)
	pdf.Write(headingPt*lineFactor, tr(head.Name))
	pdf.Ln(-1)
	pdf.SetFont(family, "", smallPt)
	for _, line := range []string{head.Address, strings.Trim(head.Phone+" · "+head.Email, " ·")} {
		if strings.TrimSpace(line) != "" {
			pdf.Write(smallPt*lineFactor, tr(line))
			pdf.Ln(-1)
		}
	}
	y := pdf.GetY() + 2
	pdf.Line(margin, y, pageWidth(pdf)-margin, y)
	pdf.Ln(8)

	if len(l.Recipient) > 0 {
		pdf.SetFont(family, "", bodyPt)
		for _, line := range l.Recipient {
			pdf.Write(bodyPt*lineFactor, tr(line))
			pdf.Ln(-1)
		}
		pdf.Ln(6)
	}

	for _, b := range blocks {
		switch b.Kind {
		case title:
			pdf.SetFont(family, "B", titlePt)
			pdf.Write(titlePt*lineFactor, tr(b.plain()))
			pdf.Ln(titlePt * lineFactor * 1.5)
		case heading:
			pdf.Ln(2)
			pdf.SetFont(family, "B", headingPt)
			pdf.Write(headingPt*lineFactor, tr(b.plain()))
			pdf.Ln(headingPt * lineFactor * 1.3)
		case rule:
			y := pdf.GetY() + 1
			pdf.Line(margin, y, pageWidth(pdf)-margin, y)
			pdf.Ln(4)
		case bullet, numbered:
			marker := "\u2022"
			if b.Kind == numbered {
				marker = fmt.Sprintf("%d.", b.N)
			}
			pdf.SetFont(family, "", bodyPt)
			pdf.SetX(margin + 2)
			pdf.Write(bodyPt*lineFactor, tr(marker))
			pdf.SetLeftMargin(margin + 8)
			pdf.SetX(margin + 8)
			writeSpans(pdf, family, tr, b.Spans)
			pdf.SetLeftMargin(margin)
			pdf.Ln(bodyPt * lineFactor * 1.2)
		default:
			writeSpans(pdf, family, tr, b.Spans)
			pdf.Ln(bodyPt * lineFactor * 1.6)
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("lay out PDF: %w", err)
	}
	return pdf.Output(w)
}

// writeSpans flows styled text from the current position.
func writeSpans(pdf *fpdf.Fpdf, family string, tr func(string) string, spans []span) {
	for _, s := range spans {
		style := ""
		if s.Bold {
			style += "B"
		}
		if s.Italic && family != unicodeFamily {
			style += "I"
		}
		pdf.SetFont(family, style, bodyPt)
		pdf.Write(bodyPt*lineFactor, tr(s.Text))
	}
}

// titleOf is the letter's "# " title, for the document's properties.
func titleOf(blocks []block) string {
	for _, b := range blocks {
		if b.Kind == title {
			return b.plain()
		}
	}
	return "Notice"
}

func pageWidth(pdf *fpdf.Fpdf) float64 {
	w, _ := pdf.GetPageSize()
	return w
}
