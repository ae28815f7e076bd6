package web

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
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
	if got := text(doc(t, res), "verdict"); res.StatusCode != http.StatusOK || !strings.Contains(got, "Intact.") || !strings.Contains(got, "Recorded on the case timeline") {
		t.Errorf("intact upload: %d %q", res.StatusCode, got)
	}

	// The same export with the report changed.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range z.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "case-report.pdf" {
			body = append(body, ' ')
		}
		w, _ := zw.Create(f.Name)
		w.Write(body)
	}
	zw.Close()
	res = upload("record.zip", buf.Bytes())
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
