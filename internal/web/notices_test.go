package web

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	csvpkg "encoding/csv"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/letter/lettertest"
	"breachdesk/internal/residents"
)

func TestNoticeReviewThroughThePages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	officer, u := app.signedIn(auth.RoleOfficer)
	reviewer, _ := app.signedIn(auth.RoleReviewer)
	ctx := context.Background()
	no := false
	c, err := cases.NewService(app.pool).Open(ctx, cases.Actor{ID: u.ID, Email: u.Email}, cases.NewCase{Facts: cases.Facts{
		Title: "Contacts export", Summary: "A stolen OAuth token was used to export Contacts.", Severity: "high", OwnerID: u.ID,
		DiscoveredAt: time.Now().Add(-2 * time.Hour).Truncate(time.Minute), DataElements: []string{"name", "ssn"}, Encrypted: &no}, Playbook: "none"})
	if err != nil {
		t.Fatal(err)
	}
	csv := "Id,FirstName,MailingState\n0031,A,CA\n0032,B,CA\n"
	app.people.ImportFile(ctx, cases.Actor{ID: u.ID, Email: u.Email}, c.ID, "c.csv", int64(len(csv)),
		func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }, residents.StartOptions{}, nil)
	app.pool.Exec(ctx, `UPDATE org_settings SET org_name = 'Acme', contact_email = 'privacy@acme.example', id_protection_offer = 'credit monitoring'`)
	base := "/cases/" + c.Reference
	if res := officer.post(base+"/notices", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("drafts before accepting obligations: %d", res.StatusCode)
	}
	fp, _ := doc(t, officer.get(base)).Find(`[data-testid="ob-proposed"] input[name="fingerprint"]`).Attr("value")
	officer.post(base+"/obligations/accept", url.Values{"fingerprint": {fp}})
	if res := officer.post(base+"/notices", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("make drafts: %d", res.StatusCode)
	}
	officer.post(base+"/notices", nil) // again: nothing new to draft
	if got := text(doc(t, officer.get(base)), "flash"); !strings.Contains(got, "has a draft already") {
		t.Errorf("drafting twice: flash %q", got)
	}
	link, _ := doc(t, officer.get(base)).Find(`[data-testid="notices"] a`).First().Attr("href")
	d := doc(t, officer.get(link))
	if !strings.Contains(d.Find(`[data-testid="letter"] h1`).Text(), "Notice of Data Breach") {
		t.Errorf("letter title %q", d.Find(`[data-testid="letter"] h1`).Text())
	}
	version, _ := d.Find(`form[action$="/submit"] input[name="version"]`).Attr("value")
	if res := officer.post(link+"/submit", url.Values{"version": {version}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	if res := officer.post(link+"/review", url.Values{"action": {"approve"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an officer approving: %d", res.StatusCode)
	}
	if res := officer.get(link + "/print"); res.StatusCode != http.StatusConflict {
		t.Errorf("print before approval: %d", res.StatusCode)
	}
	res := reviewer.post(link+"/review", url.Values{"action": {"request_changes"}, "comment": {"Name the system."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request changes: %d", res.StatusCode)
	}
	d = doc(t, officer.get(link))
	version, _ = d.Find(`form[action$="/edit"] input[name="version"]`).Attr("value")
	body := d.Find(`textarea#body`).Text()
	res = officer.post(link+"/edit", url.Values{"version": {version}, "body": {strings.Replace(body, "customer records system", "Salesforce org", 1)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	if res := officer.post(link+"/edit", url.Values{"version": {version}, "body": {"stale"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale edit: %d", res.StatusCode)
	}
	if got := doc(t, officer.get(link+"?diff=1")).Find(`[data-testid="diff"] ins`).Text(); !strings.Contains(got, "Salesforce") {
		t.Errorf("diff shows %q", got)
	}
	// Any two versions, either way round.
	if got := doc(t, officer.get(link+"?diff=2&to=1")).Find(`[data-testid="diff"] del`).Text(); !strings.Contains(got, "Salesforce") {
		t.Errorf("diff from 2 to 1 deletes %q", got)
	}
	version, _ = doc(t, officer.get(link)).Find(`form[action$="/submit"] input[name="version"]`).Attr("value")
	officer.post(link+"/submit", url.Values{"version": {version}})
	if res := reviewer.post(link+"/review", url.Values{"action": {"approve"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", res.StatusCode, text(doc(t, res), "form-error"))
	}
	d = doc(t, officer.get(link))
	if !strings.Contains(text(d, "approved-by"), "reviewer-") {
		t.Errorf("approved by %q", text(d, "approved-by"))
	}
	res = officer.get(link + "/print")
	if res.StatusCode != http.StatusOK || !strings.Contains(doc(t, res).Find(".print-footer").Text(), text(d, "version-sha")) {
		t.Errorf("print view: %d", res.StatusCode)
	}

	if res.StatusCode != http.StatusOK {
		t.Fatal("print view")
	}

	// The PDF and the DOCX of the approved version, for any role that reads cases.
	auditor, _ := app.signedIn(auth.RoleAuditor)
	res = auditor.get(link + "/download/pdf")
	pdfBytes := []byte(readBody(res))
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), c.Reference+"-CA-individuals-v2.pdf") {
		t.Fatalf("PDF: %d %v", res.StatusCode, res.Header)
	}
	pdf, err := lettertest.ReadPDF(pdfBytes)
	if err != nil || !strings.Contains(pdf.Text(), "Salesforce org") || !strings.Contains(pdf.Text(), "Acme") {
		t.Errorf("PDF text: %v\n%s", err, pdf.Text())
	}
	res = officer.get(link + "/download/docx")
	docx, _, err := lettertest.DOCXText([]byte(readBody(res)))
	if res.StatusCode != http.StatusOK || err != nil || !strings.Contains(docx, "Notice of Data Breach\n") {
		t.Errorf("DOCX: %d %v", res.StatusCode, err)
	}
	sum := sha256.Sum256(pdfBytes)
	tl, _ := cases.NewService(app.pool).Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "notice.exported"})
	found := false
	for _, e := range tl.Events {
		found = found || strings.Contains(string(e.Payload), hex.EncodeToString(sum[:]))
	}
	if tl.Total != 3 || !found {
		t.Errorf("exports on the timeline: %d, PDF hash recorded %v", tl.Total, found)
	}

	// Mail-merge: officers with a reason; the addresses in clear.
	if res := reviewer.post(link+"/mail-merge", url.Values{"format": {"csv"}, "reason": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reviewer mail-merging: %d", res.StatusCode)
	}
	res = officer.post(link+"/mail-merge", url.Values{"format": {"csv"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, res).Text(), "Say why") {
		t.Errorf("mail-merge without a reason: %d", res.StatusCode)
	}
	res = officer.post(link+"/mail-merge", url.Values{"format": {"csv"}, "reason": {"Vendor run 1"}})
	rows, err := csvpkg.NewReader(strings.NewReader(readBody(res))).ReadAll()
	if res.StatusCode != http.StatusOK || err != nil || len(rows) != 3 || rows[1][3] != "A" || rows[1][6] != "CA" {
		t.Errorf("mail-merge CSV: %d %v %q", res.StatusCode, err, rows)
	}
	res = officer.post(link+"/mail-merge", url.Values{"format": {"zip"}, "batch": {"1"}, "reason": {"Vendor run 1"}})
	zipBody := readBody(res)
	zr, err := zip.NewReader(strings.NewReader(zipBody), int64(len(zipBody)))
	if res.StatusCode != http.StatusOK || err != nil || len(zr.File) != 2 {
		t.Errorf("letters ZIP: %d %v", res.StatusCode, err)
	}
	if res := officer.post(link+"/mail-merge", url.Values{"format": {"zip"}, "batch": {"2"}, "reason": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("batch past the end: %d", res.StatusCode)
	}
	if tl, _ := cases.NewService(app.pool).Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "notice.mail_merge"}); tl.Total != 2 {
		t.Errorf("mail-merges on the timeline: %d", tl.Total)
	}
}

func TestLetterTemplateEditing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	reviewer, _ := app.signedIn(auth.RoleReviewer)
	officer, _ := app.signedIn(auth.RoleOfficer)
	d := doc(t, reviewer.get("/templates"))
	var link string
	d.Find(`[data-testid="templates"] a`).Each(func(_ int, a *goquery.Selection) {
		if a.Text() == "Consumer notice (California)" {
			link, _ = a.Attr("href")
		}
	})
	if link == "" {
		t.Fatalf("no California template listed: %s", d.Find(`[data-testid="templates"]`).Text())
	}
	if d := doc(t, officer.get(link)); d.Find(`[data-testid="template-form"]`).Length() != 0 || !strings.Contains(d.Find(`[data-testid="template-body"]`).Text(), "Notice of Data Breach") {
		t.Error("an officer sees the template without an edit form")
	}
	if res := officer.post(link, url.Values{"version": {"1"}, "body": {"# x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an officer saving a template: %d", res.StatusCode)
	}
	d = doc(t, reviewer.get(link))
	body := d.Find("textarea#body").Text()
	version, _ := d.Find(`[data-testid="template-form"] input[name="version"]`).Attr("value")
	if !strings.HasPrefix(body, "# Notice of Data Breach") || version != "1" {
		t.Fatalf("form: version %q body %q", version, body[:min(len(body), 40)])
	}
	for _, bad := range []struct{ body, want string }{
		{body + "\n{{if .Summary}}unclosed\n", "line 28: unexpected EOF"},
		{"# Notice of Data Breach\n\n{{.Org.Fax}}\n", "line 3: {{.Org.Fax}}: there is no placeholder named Fax"},
		{"# Notice\n\nline two\n{{nosuch .Title}}\n", "line 4: function \"nosuch\" not defined"},
		{"   ", "cannot be empty"},
		{body, "Nothing changed"},
	} {
		res := reviewer.post(link, url.Values{"version": {version}, "body": {bad.body}})
		got := doc(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(got, "body-error"), bad.want) {
			t.Errorf("template %q: %d %q", bad.body[len(bad.body)-min(len(bad.body), 30):], res.StatusCode, text(got, "body-error"))
		}
	}
	edited := strings.Replace(body, "## What Happened\n", "## What Happened\n\nWe are sorry.\n", 1)
	res := reviewer.post(link, url.Values{"version": {version}, "body": {edited}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, text(doc(t, res), "body-error"))
	}
	if res := reviewer.post(link, url.Values{"version": {version}, "body": {edited + "x"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("a stale save: %d", res.StatusCode)
	}
	d = doc(t, reviewer.get(location(res)))
	if got := d.Find(`[data-testid="versions"] li`).Length(); got != 2 {
		t.Errorf("%d versions listed", got)
	}
	if !strings.Contains(d.Find("textarea#body").Text(), "We are sorry.") {
		t.Error("the new version is not the one shown")
	}
	if got := doc(t, reviewer.get(location(res)+"?diff=1")).Find(`[data-testid="diff"] ins`).Text(); !strings.Contains(got, "sorry") {
		t.Errorf("diff shows %q", got)
	}
}
