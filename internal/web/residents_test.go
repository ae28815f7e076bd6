package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

// upload posts a file as the residents page's form does.
func (c *client) upload(path, name string, data []byte) *http.Response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.app.srv.URL)
	return c.do(req)
}

// waitImport polls the import's page until its job has finished.
func waitImport(t *testing.T, c *client, path string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status := text(doc(t, c.get(path)), "status")
		if status != "Waiting to start" && status != "Running" {
			return status
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %q after 30 s", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestImportThroughThePages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	officer, _ := app.signedIn(auth.RoleOfficer)
	c, _, _ := app.caseWithEvidence()
	base := "/cases/" + c.Reference

	var file bytes.Buffer
	truth, _ := residents.GenerateCRM(&file, residents.GenOptions{Rows: 1500, Messy: true, Seed: 11})
	res := officer.upload(base+"/imports", "Contacts Export.csv", file.Bytes())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	importPath := res.Header.Get("Location")

	// The preview shows the first 20 rows and the proposed mapping.
	d := doc(t, officer.get(importPath))
	if n := d.Find(`[data-testid="preview"] tbody tr`).Length(); n != 20 {
		t.Errorf("preview shows %d rows", n)
	}
	if v, _ := d.Find(`#map-Mailing\.state option[selected]`).Attr("value"); v != "MailingState" {
		t.Errorf("proposed Mailing.state %q", v)
	}
	// A mapping without any address column is refused with a reason.
	res = officer.post(importPath+"/start", url.Values{"map.first_name": {"FirstName"}, "encoding": {"auto"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "mapping-error"), "no column holds a state") {
		t.Errorf("mapping without address: %d", res.StatusCode)
	}
	form := url.Values{"encoding": {"auto"}, "save_as": {"Contacts (Data Loader)"}}
	d.Find(`[data-testid="mapping-form"] select`).Each(func(_ int, sel *goquerySelection) {
		name, _ := sel.Attr("name")
		if v, ok := sel.Find("option[selected]").Attr("value"); ok && v != "" {
			form.Set(name, v)
		}
	})
	if res := officer.post(importPath+"/start", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", res.StatusCode)
	}
	if got := waitImport(t, officer, importPath); got != "Has bad rows: your decision" {
		t.Fatalf("status %q", got)
	}
	d = doc(t, officer.get(importPath))
	if d.Find(`[data-testid="bad-rows"] tbody tr`).Length() == 0 {
		t.Error("bad rows not listed")
	}
	report := officer.get(importPath + "/errors.csv")
	if !strings.HasPrefix(report.Header.Get("Content-Type"), "text/csv") || strings.Count(readBody(report), "\n") != int(truth.BadRows)+1 {
		t.Errorf("error report: %s", report.Header.Get("Content-Type"))
	}
	if res := officer.post(importPath+"/accept", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	if got := waitImport(t, officer, importPath); got != "Imported" {
		t.Fatalf("status after accept %q", got)
	}

	// Counts by state, the map, the case page summary.
	d = doc(t, officer.get(base+"/residents"))
	if got := text(d, "total"); got != itoa(truth.Persons)+" people" {
		t.Errorf("total %q, truth %d", got, truth.Persons)
	}
	caRow := d.Find(`[data-testid="state-counts"] tr[data-state="CA"] td.num`).First().Text()
	if caRow != itoa(truth.States["CA"]) {
		t.Errorf("CA row %q, truth %d", caRow, truth.States["CA"])
	}
	if n, _ := d.Find(`[data-testid="usmap"] g[data-state="CA"]`).Attr("data-count"); n != itoa(truth.States["CA"]) {
		t.Errorf("map CA %q", n)
	}
	if !strings.Contains(text(doc(t, officer.get(base)), "residents-summary"), itoa(truth.Persons)) {
		t.Error("case page does not show the total")
	}

	// People are masked; an auditor cannot reveal; an officer can, and it is recorded.
	d = doc(t, officer.get(base+"/residents/people?jurisdiction=ca"))
	name := d.Find(`[data-testid="masked-name"]`).First().Text()
	if !strings.Contains(name, "*") {
		t.Errorf("name not masked: %q", name)
	}
	auditor, _ := app.signedIn(auth.RoleAuditor)
	if d := doc(t, auditor.get(base+"/residents/people")); d.Find(`button:contains("Reveal")`).Length() != 0 {
		t.Error("an auditor is offered to reveal")
	}
	ref := residentRef(t, d)
	if res := auditor.post(base+"/residents/reveal", url.Values{"import": {ref[0]}, "line": {ref[1]}, "reason": {"curious"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("auditor reveal: %d", res.StatusCode)
	}
	res = officer.post(base+"/residents/reveal", url.Values{"import": {ref[0]}, "line": {ref[1]}, "reason": {"Customer asked what we hold"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(doc(t, res), "revealed"), "@example.") {
		t.Errorf("reveal: %d", res.StatusCode)
	}
	p, _ := cases.NewService(app.pool).Timeline(context.Background(), c.ID, cases.TimelineFilter{Kind: "resident.revealed"})
	if p.Total != 1 {
		t.Errorf("%d reveal events", p.Total)
	}
	// The saved mapping is offered on the next import.
	if ms, _ := app.people.Mappings(context.Background()); len(ms) != 1 || ms[0].Name != "Contacts (Data Loader)" {
		t.Errorf("saved mappings %+v", ms)
	}
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	officer, _ := app.signedIn(auth.RoleOfficer)
	c, _, _ := app.caseWithEvidence()
	base := "/cases/" + c.Reference
	res := officer.upload(base+"/imports", "empty.csv", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "form-error"), "empty") {
		t.Errorf("empty upload: %d", res.StatusCode)
	}
	res = officer.upload(base+"/imports", "book.xlsx", []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("xlsx upload: %d", res.StatusCode)
	}
	if got := text(doc(t, officer.get(res.Header.Get("Location"))), "preview-problem"); !strings.Contains(got, "binary") {
		t.Errorf("xlsx preview problem %q", got)
	}
	// A second import while one waits for review is refused.
	data := []byte("Email,MailingState\nnobody-here,\n,CA\n")
	res = officer.upload(base+"/imports", "a.csv", data)
	first := res.Header.Get("Location")
	officer.post(first+"/start", url.Values{"map.email": {"Email"}, "map.Mailing.state": {"MailingState"}})
	waitImport(t, officer, first)
	res = officer.upload(base+"/imports", "b.csv", data)
	second := res.Header.Get("Location")
	res = officer.post(second+"/start", url.Values{"map.email": {"Email"}, "map.Mailing.state": {"MailingState"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(text(doc(t, res), "form-error"), "nother import") {
		t.Errorf("second import: %d", res.StatusCode)
	}
}

func residentRef(t *testing.T, d *goqueryDocument) [2]string {
	t.Helper()
	imp, _ := d.Find(`input[name="import"]`).First().Attr("value")
	line, _ := d.Find(`input[name="line"]`).First().Attr("value")
	if imp == "" {
		// The auditor's page has no forms; take the first row's "import:line".
		cell := strings.TrimSpace(d.Find(`[data-testid="people"] tbody tr td`).First().Text())
		a, b, _ := strings.Cut(cell, ":")
		return [2]string{a, b}
	}
	return [2]string{imp, line}
}

func TestCasePageShowsObligationsAndTheirDeadlines(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	officer, u := app.signedIn(auth.RoleOfficer)
	ctx := context.Background()
	yes, no := true, false
	c, err := cases.NewService(app.pool).Open(ctx, cases.Actor{ID: u.ID, Email: u.Email}, cases.NewCase{Facts: cases.Facts{
		Title: "Contacts export", Severity: "high", OwnerID: u.ID, DiscoveredAt: time.Now().Add(-2 * time.Hour).Truncate(time.Minute),
		DataElements: []string{"name", "ssn"}, Encrypted: &no, Acquired: &yes}, Playbook: "none"})
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("Id,FirstName,Email,MailingState\n")
	for i := 0; i < 501; i++ {
		csv.WriteString("003" + itoa(100000000000000+i) + ",P" + itoa(i) + ",p" + itoa(i) + "@example.com,CA\n")
	}
	csv.WriteString("003900000000001,Q,q@example.com,TX\n")
	if _, res, err := app.people.ImportFile(ctx, cases.Actor{ID: u.ID, Email: u.Email}, c.ID, "c.csv", int64(csv.Len()),
		func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv.String())), nil }, residents.StartOptions{}, nil); err != nil || !res.Committed {
		t.Fatalf("import: %v", err)
	}
	d := doc(t, officer.get("/cases/"+c.Reference+"?ob_status=all"))
	if !strings.Contains(text(d, "disclaimer"), "not legal advice") {
		t.Error("no disclaimer")
	}
	ag := d.Find(`[data-testid="ob-CA-regulator"]`)
	if got := strings.TrimSpace(ag.Find(`[data-testid="ob-status"]`).Text()); got != "Required" || !strings.Contains(ag.Text(), "1798.82(f)") {
		t.Errorf("CA AG row: status %q, %q", got, ag.Text())
	}
	if got := strings.TrimSpace(d.Find(`[data-testid="ob-TX-regulator"] [data-testid="ob-status"]`).Text()); got != "Not required" {
		t.Errorf("TX AG with 1 resident: %q", got)
	}
	// The law's deadlines join the clock panel.
	if !strings.Contains(d.Find(`[data-testid="clocks"]`).Text(), "CA: notice to affected residents") {
		t.Errorf("clock panel: %q", d.Find(`[data-testid="clocks"]`).Text())
	}
	// Accept the obligations, then record the notice to California residents.
	fp, _ := d.Find(`[data-testid="ob-proposed"] input[name="fingerprint"]`).Attr("value")
	if res := officer.post("/cases/"+c.Reference+"/obligations/accept", url.Values{"fingerprint": {"old"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale accept: %d", res.StatusCode)
	}
	if res := officer.post("/cases/"+c.Reference+"/obligations/accept", url.Values{"fingerprint": {fp}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	sent := time.Now().Add(-time.Hour).In(u.Location()).Format("2006-01-02T15:04")
	res := officer.post("/cases/"+c.Reference+"/obligations/file", url.Values{"key": {"CA/individuals/"}, "kind": {"sent"},
		"sent_at": {sent}, "method": {"mail"}, "what": {"Consumer notice v2"}, "confirmation": {"Batch 12"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", res.StatusCode, text(doc(t, res), "action-error"))
	}
	// A second batch with a copy of the letter attached; a copy over the limit is refused.
	fileWith := func(name string, data []byte) *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range map[string]string{"key": "CA/individuals/", "kind": "sent", "sent_at": sent, "method": "email", "what": "Batch 13"} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/cases/"+c.Reference+"/obligations/file", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", app.srv.URL)
		return officer.do(req)
	}
	letter := []byte("Dear customer, ...")
	if res := fileWith("letter.txt", letter); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("filing with a copy: %d %s", res.StatusCode, text(doc(t, res), "action-error"))
	}
	if res := fileWith("huge.txt", bytes.Repeat([]byte("a"), notify.MaxFilingFileBytes+2<<20)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized copy: %d", res.StatusCode)
	}
	link, ok := doc(t, officer.get("/cases/"+c.Reference)).Find(`a[href$="/file"]:contains("letter.txt")`).Attr("href")
	if !ok {
		t.Fatal("no link to the filed copy")
	}
	if res := officer.get(link); res.StatusCode != http.StatusOK || readBody(res) != string(letter) {
		t.Errorf("filed copy: %d", res.StatusCode)
	}
	res = officer.post("/cases/"+c.Reference+"/obligations/file", url.Values{"key": {"TX/individuals/"}, "kind": {"not_required"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "action-error"), "not required") {
		t.Errorf("not required without reason: %d", res.StatusCode)
	}
	d = doc(t, officer.get("/cases/"+c.Reference))
	if got := text(d, "ob-filed"); !strings.Contains(got, "Sent") || !strings.Contains(got, "mail") {
		t.Errorf("filed badge %q", got)
	}
	if strings.Contains(d.Find(`[data-testid="clocks"]`).Text(), "CA: notice to affected residents") {
		t.Error("a filed notice still counts down")
	}
	// The AG's 15 days now count from the notice that went out: a change to accept.
	if !strings.Contains(text(d, "ob-changes"), "deadline") {
		t.Errorf("changes banner %q", text(d, "ob-changes"))
	}
}
