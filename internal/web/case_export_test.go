package web

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"breachdesk/internal/audit/audittest"
	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
)

func TestCaseExportAndVerifyPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	auditor, _ := app.signedIn(auth.RoleAuditor)
	c, _, _ := app.caseWithEvidence()
	base := "/cases/" + c.Reference
	if !strings.Contains(doc(t, auditor.get(base)).Find(`[data-testid="export-case"]`).Text(), "Export case record") {
		t.Error("no export button for an auditor")
	}
	res := auditor.post(base+"/export", nil)
	data := []byte(readBody(res))
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), c.Reference+"-case-record-") {
		t.Fatalf("export: %d %v", res.StatusCode, res.Header)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(z.File) < 5 {
		t.Fatalf("export ZIP: %v", err)
	}
	tl, _ := cases.NewService(app.pool).Timeline(t.Context(), c.ID, cases.TimelineFilter{Kind: "case.exported"})
	if tl.Total != 1 || tl.Events[0].Actor == "" {
		t.Errorf("export on the timeline: %d", tl.Total)
	}

	upload := func(name string, body []byte) *http.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(body)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/verify", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", app.srv.URL)
		return auditor.do(req)
	}
	res = upload("record.zip", data)
	if got := text(doc(t, res), "verdict"); res.StatusCode != http.StatusOK || !strings.Contains(got, "Intact.") || !strings.Contains(got, "on the case timeline as event 3") {
		t.Errorf("intact upload: %d %q", res.StatusCode, got)
	}

	// The same export with the report changed.
	res = upload("record.zip", audittest.Rewrite(t, data, "case-report.pdf", func(b []byte) []byte { return append(b, ' ') }))
	if got := text(doc(t, res), "verdict"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "NOT intact: case-report.pdf was altered") {
		t.Errorf("tampered upload: %d %q", res.StatusCode, got)
	}
	res = upload("contacts.csv", []byte("Id\n1\n"))
	if got := text(doc(t, res), "verdict"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "not a readable case export") {
		t.Errorf("not a ZIP: %d %q", res.StatusCode, got)
	}
	if res := auditor.post("/verify", nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d", res.StatusCode)
	}
}

func TestPurgeFromTheCasePage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, u := app.signedIn(auth.RoleAdmin)
	c, _, _ := app.caseWithEvidence()
	ctx := t.Context()
	act := cases.Actor{ID: u.ID, Email: u.Email}
	csv := "Id,FirstName,MailingState\n0031,Ann,CA\n0032,Bea,TX\n"
	if _, res, err := app.people.ImportFile(ctx, act, c.ID, "c.csv", int64(len(csv)),
		func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }, residents.StartOptions{}, nil); err != nil || !res.Committed {
		t.Fatalf("import: %v", err)
	}
	base := "/cases/" + c.Reference
	if res := admin.post(base+"/purge", url.Values{"reason": {"Counsel's instruction"}}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(text(doc(t, res), "action-error"), "close the case first") {
		t.Errorf("purge of an open case: %d", res.StatusCode)
	}
	svc := cases.NewService(app.pool)
	cur, _ := svc.Get(ctx, c.Reference)
	svc.SetStatus(ctx, act, c.Reference, cur.Version, "closed", "")
	if doc(t, admin.get(base)).Find(`[data-testid="purge"]`).Length() != 1 {
		t.Error("no purge form on the closed case")
	}
	if res := admin.post(base+"/purge", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("purge without a reason: %d", res.StatusCode)
	}
	res := admin.post(base+"/purge", url.Values{"reason": {"Counsel's instruction of 28 Nov"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("purge: %d", res.StatusCode)
	}
	if got := text(doc(t, admin.get(location(res))), "flash"); !strings.Contains(got, "2 residents purged") {
		t.Errorf("flash %q", got)
	}
	if res := admin.get(base + "/residents/people"); res.StatusCode != http.StatusOK {
		t.Errorf("people list after purge: %d", res.StatusCode)
	}

	// Retention period in the settings: a number of days or empty.
	d := doc(t, admin.get("/admin/settings"))
	form := url.Values{}
	d.Find("form input, form textarea").Each(func(_ int, s *goquerySelection) {
		name, _ := s.Attr("name")
		if typ, _ := s.Attr("type"); typ == "radio" {
			if _, checked := s.Attr("checked"); !checked {
				return
			}
		}
		v, _ := s.Attr("value")
		if s.Is("textarea") {
			v = s.Text()
		}
		form.Set(name, v)
	})
	form.Set("retention_days", "0")
	if res := admin.post("/admin/settings", form); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(doc(t, res).Find(`[data-testid="retention_days-error"]`).Text(), "1 to 36,500 days") {
		t.Errorf("retention of 0 days: %d", res.StatusCode)
	}
	form.Set("retention_days", "365")
	form.Set("home_country", "Atlantis")
	if res := admin.post("/admin/settings", form); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(doc(t, res).Find(`[data-testid="home_country-error"]`).Text(), "two-letter ISO code") {
		t.Errorf("home country Atlantis: %d", res.StatusCode)
	}
	form.Set("home_country", "Germany")
	if res := admin.post("/admin/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("retention of 365 days: %d %s", res.StatusCode, doc(t, res).Find(".error").Text())
	}
	if st, _ := svc.Settings(ctx); st.RetentionDays == nil || *st.RetentionDays != 365 || st.HomeCountry != "DE" {
		t.Errorf("retention stored: %v, home country %q", st.RetentionDays, st.HomeCountry)
	}
}
