package letter_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/letter"
	"breachdesk/internal/letter/lettertest"
)

var created = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func sample(paragraphs int) letter.Letter {
	var body strings.Builder
	body.WriteString("# Notice of Data Breach\n\n## What Happened\n\nOn 1 November we learned of **unauthorised** access to *our* CRM — the Müller account’s § 1798.82 notice.\n\n")
	body.WriteString("## What You Can Do\n\n- Equifax: 1-800-685-1111\n- Experian: 1-888-397-3742\n\n1. Freeze your credit.\n2. Watch your statements.\n\n<script>alert(1)</script>\n\n")
	for i := range paragraphs {
		fmt.Fprintf(&body, "Paragraph %d of the long letter, which goes on for a while so that the page fills and breaks onto another.\n\n", i+1)
	}
	return letter.Letter{
		Letterhead: letter.Letterhead{Name: "Acme Retail Inc.", Address: "1 Main St, Springfield, IL 62701", Email: "privacy@acme.test", Phone: "1-800-555-0100"},
		Recipient:  []string{"Jane Doe", "12 Elm St", "Sacramento, CA 95814"},
		Body:       body.String(),
		Footer:     "BR-2026-0001 · version 3 · SHA-256 abcdef",
	}
}

func TestPDFReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := letter.WritePDF(&buf, sample(60), created); err != nil {
		t.Fatal(err)
	}
	got, err := lettertest.ReadPDF(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) < 2 {
		t.Fatalf("a 60-paragraph letter should take several pages, got %d", len(got.Pages))
	}
	text := got.Text()
	for _, want := range []string{"Acme Retail Inc.", "privacy@acme.test", "Jane Doe", "Sacramento, CA 95814", "Notice of Data Breach",
		"What Happened", "unauthorised", "Müller account’s §", "Equifax: 1-800-685-1111", "1.", "Freeze your credit.",
		"Paragraph 60 of the long letter", "BR-2026-0001", fmt.Sprintf("Page 1 of %d", len(got.Pages)),
		fmt.Sprintf("Page %d of %d", len(got.Pages), len(got.Pages))} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "alert(1)") {
		t.Error("raw HTML in the Markdown was printed")
	}
	if got.MinSize < letter.MinPointSize {
		t.Errorf("smallest type is %.1f pt, want at least %d", got.MinSize, letter.MinPointSize)
	}
	if got.Title != "Notice of Data Breach" {
		t.Errorf("document title %q", got.Title)
	}
	// The same letter gives the same bytes, so its hash can be recorded.
	var again bytes.Buffer
	if err := letter.WritePDF(&again, sample(60), created); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("the same letter laid out twice differs")
	}
}

func TestDOCXReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := letter.WriteDOCX(&buf, sample(2), created); err != nil {
		t.Fatal(err)
	}
	body, footer, err := lettertest.DOCXText(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Acme Retail Inc.\n", "Jane Doe\n", "Notice of Data Breach\n", "What Happened\n",
		"Müller account’s § 1798.82", "•\tEquifax: 1-800-685-1111\n", "2.\tWatch your statements.\n", "Paragraph 2 of the long letter"} {
		if !strings.Contains(body, want) {
			t.Errorf("DOCX body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "alert(1)") {
		t.Error("raw HTML in the Markdown reached the document")
	}
	if !strings.Contains(footer, "BR-2026-0001") || !strings.Contains(footer, "Page") {
		t.Errorf("footer %q", footer)
	}
	if !bytes.Contains(buf.Bytes(), []byte("word/styles.xml")) {
		t.Error("no styles part")
	}
}

func TestEscapesMarkupInDOCX(t *testing.T) {
	l := sample(0)
	l.Body = "# A & B < C\n\nTom \"the\" <b>Cat</b> & co. ]]> </w:t>"
	var buf bytes.Buffer
	if err := letter.WriteDOCX(&buf, l, created); err != nil {
		t.Fatal(err)
	}
	body, _, err := lettertest.DOCXText(buf.Bytes()) // parses as XML, or fails
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "A & B < C\n") || !strings.Contains(body, `Tom "the" Cat & co. ]]>`) {
		t.Errorf("title not kept as text: %q", body)
	}
}

// TestPDFPrintsNamesBeyondWindows1252: a recipient the standard fonts
// cannot print gets the embedded Unicode font; other letters do not.
func TestPDFPrintsNamesBeyondWindows1252(t *testing.T) {
	l := sample(1)
	l.Recipient = []string{"Łukasz Żółć", "Дмитрий Иванов", "ul. Świętokrzyska 12", "Chicago, IL 60601"}
	var buf bytes.Buffer
	if err := letter.WritePDF(&buf, l, created); err != nil {
		t.Fatal(err)
	}
	got, err := lettertest.ReadPDF(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	text, err := lettertest.PDFText(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Łukasz Żółć", "Дмитрий Иванов", "Świętokrzyska", "Notice of Data Breach", "Müller", "Page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	if got.MinSize < letter.MinPointSize {
		t.Errorf("smallest type %.1f pt", got.MinSize)
	}
	var plain bytes.Buffer
	letter.WritePDF(&plain, sample(1), created)
	if !bytes.Contains(plain.Bytes(), []byte("/BaseFont /Helvetica")) || bytes.Contains(plain.Bytes(), []byte("DejaVu")) {
		t.Error("a Windows-1252 letter should use the standard fonts")
	}
}
