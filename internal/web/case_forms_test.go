package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
)

// newCaseForm is a valid "open a case" form; tests change fields of it.
func newCaseForm(owner auth.User, discovered time.Time, zone string) url.Values {
	loc, _ := time.LoadLocation(zone)
	return url.Values{
		"title": {"Unencrypted Bulk API job copied Contacts"}, "summary": {"A nightly job wrote a CSV to a public bucket."},
		"severity": {"high"}, "owner": {itoa(owner.ID)}, "playbook": {cases.DefaultPlaybook}, "zone": {zone},
		"discovered_at": {discovered.In(loc).Format("2006-01-02T15:04")},
		"systems":       {"salesforce", "middleware"}, "vector": {"bulk_api_unencrypted"},
		"elements": {"name", "ssn"}, "encrypted": {"no"}, "acquired": {""},
	}
}

func TestOpenCaseThroughTheForm(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, u := app.signedIn(auth.RoleOfficer)
	discovered := time.Now().Add(-5 * time.Hour).Truncate(time.Minute)

	// Bad input: each comes back with its own message and nothing is stored.
	for field, bad := range map[string]url.Values{
		"discovered_at": {"discovered_at": {time.Now().Add(3 * time.Hour).UTC().Format("2006-01-02T15:04")}, "zone": {"UTC"}},
		"occurred_to":   {"occurred_from": {"2026-01-10T10:00"}, "occurred_to": {"2026-01-09T10:00"}},
		"owner":         {"owner": {"987654"}},
		"zone":          {"zone": {"Mars/Olympus"}},
		"title":         {"title": {""}},
		"elements":      {"elements": {"shoe_size"}},
	} {
		form := newCaseForm(u, discovered, "America/New_York")
		for k, v := range bad {
			form[k] = v
		}
		res := c.post("/cases", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", field, res.StatusCode)
			continue
		}
		d := doc(t, res)
		if text(d, field+"-error") == "" {
			t.Errorf("%s: no message on the field; form error %q", field, text(d, "form-error"))
		}
		if v, _ := d.Find("#title").Attr("value"); field != "title" && v != form.Get("title") {
			t.Errorf("%s: the form lost the title: %q", field, v)
		}
	}
	var n int
	app.pool.QueryRow(context.Background(), `SELECT count(*) FROM cases`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d cases stored after refused forms", n)
	}

	res := c.post("/cases", newCaseForm(u, discovered, "America/New_York"))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(location(res), "/cases/BR-") {
		t.Fatalf("open: %d %q", res.StatusCode, location(res))
	}
	ref := strings.TrimPrefix(location(res), "/cases/")
	got, err := cases.NewService(app.pool).Get(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	// The time typed in New York is stored as the same instant.
	if !got.DiscoveredAt.Equal(discovered) || got.Encrypted == nil || *got.Encrypted || got.Acquired != nil {
		t.Errorf("stored discovered %s encrypted %v acquired %v", got.DiscoveredAt, got.Encrypted, got.Acquired)
	}
	if strings.Join(got.DataElements, ",") != "name,ssn" || strings.Join(got.AffectedSystems, ",") != "middleware,salesforce" {
		t.Errorf("stored elements %v systems %v", got.DataElements, got.AffectedSystems)
	}
	d := doc(t, c.get("/cases/"+ref))
	if text(d, "flash") == "" || !strings.Contains(text(d, "elements"), "Social Security number") {
		t.Errorf("case page: flash %q elements %q", text(d, "flash"), text(d, "elements"))
	}
}

func TestEditCaseReasonStaleFormAndTimeZone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, u := app.signedIn(auth.RoleOfficer)
	if _, err := app.users.SetTimeZone(context.Background(), u.ID, "America/Los_Angeles"); err != nil {
		t.Fatal(err)
	}
	discovered := time.Date(2026, 3, 7, 18, 30, 0, 0, time.UTC)
	res := c.post("/cases", newCaseForm(u, discovered, "UTC"))
	ref := strings.TrimPrefix(location(res), "/cases/")

	// Shown in the viewer's zone, the zone named.
	if got := text(doc(t, c.get("/cases/"+ref)), "discovered"); got != "Sat 7 Mar 2026, 10:30 PST" {
		t.Errorf("discovered shown as %q", got)
	}
	d := doc(t, c.get("/cases/"+ref+"/edit"))
	version, _ := d.Find(`input[name="version"]`).Attr("value")
	if v, _ := d.Find("#discovered_at").Attr("value"); v != "2026-03-07T10:30" {
		t.Errorf("edit form shows discovered %q", v)
	}

	form := newCaseForm(u, discovered.Add(-time.Hour), "America/Los_Angeles")
	form.Set("version", version)

	res = c.post("/cases/"+ref+"/edit", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "reason-error"), "needs a reason") {
		t.Fatalf("anchor change without a reason: %d", res.StatusCode)
	}
	form.Set("reason", "SIEM alert was an hour earlier")
	if res := c.post("/cases/"+ref+"/edit", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	// The same form again is stale: refused, current values shown.
	form.Set("title", "A title nobody else saw")
	res = c.post("/cases/"+ref+"/edit", form)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit: %d", res.StatusCode)
	}
	d = doc(t, res)
	if text(d, "stale") == "" {
		t.Error("no stale message")
	}
	if v, _ := d.Find("#title").Attr("value"); v == "A title nobody else saw" {
		t.Error("stale form shows the refused input instead of the current values")
	}
	got, _ := cases.NewService(app.pool).Get(context.Background(), ref)
	if got.Title == "A title nobody else saw" || !got.DiscoveredAt.Equal(discovered.Add(-time.Hour)) {
		t.Errorf("stored %q %s", got.Title, got.DiscoveredAt)
	}
}

func TestCasePageActions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	officer, _ := app.signedIn(auth.RoleOfficer)
	c, task, _ := app.caseWithEvidence()
	base := "/cases/" + c.Reference
	svc := cases.NewService(app.pool)
	ctx := context.Background()

	// Task: not applicable needs a reason; then done.
	res := officer.post(base+"/tasks/"+itoa(task.ID)+"/status", url.Values{"status": {"not_applicable"}, "version": {itoa(int64(task.Version))}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "action-error"), "does not apply") {
		t.Errorf("n/a without reason: %d", res.StatusCode)
	}
	if res := officer.post(base+"/tasks/"+itoa(task.ID)+"/status", url.Values{"status": {"done"}, "version": {itoa(int64(task.Version))}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("task done: %d", res.StatusCode)
	}
	if res := officer.post(base+"/tasks/"+itoa(task.ID)+"/status", url.Values{"status": {"open"}, "version": {itoa(int64(task.Version))}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale task form: %d", res.StatusCode)
	}
	// Notes and clocks.
	if res := officer.post(base+"/notes", url.Values{"note": {"Called the CISO"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("note: %d", res.StatusCode)
	}
	if res := officer.post(base+"/notes", url.Values{"note": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity || text(doc(t, res), "note-error") == "" {
		t.Errorf("empty note: %d", res.StatusCode)
	}
	if res := officer.post(base+"/clocks", url.Values{"label": {"Processor contract"}, "anchor_at": {"2026-11-01T08:00"}, "hours": {"48"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("clock: %d", res.StatusCode)
	}
	d := doc(t, officer.get(base))
	if n := d.Find(`[data-testid="clock"]`).Length(); n != 2 {
		t.Errorf("%d clocks shown", n)
	}
	// Evidence upload: a good file, a forbidden type, a file over the limit.
	upload := func(name string, data []byte) *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("note", "Export of the Setup Audit Trail")
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, app.srv.URL+base+"/tasks/"+itoa(task.ID)+"/evidence", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", app.srv.URL)
		return officer.do(req)
	}
	if res := upload("audit-trail.csv", []byte("Date,User,Action\n2026-11-27,int@x.com,Export\n")); res.StatusCode != http.StatusSeeOther {
		t.Errorf("csv upload: %d", res.StatusCode)
	}
	if res := upload("run.sh", []byte("#!/bin/sh\nrm -rf /\n")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "action-error"), "not accepted") {
		t.Errorf("shell script upload: %d", res.StatusCode)
	}
	if res := upload("huge.txt", bytes.Repeat([]byte("a"), cases.MaxAttachmentBytes+2<<20)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d", res.StatusCode)
	}
	ev, _ := svc.Evidence(ctx, c.ID)
	if len(ev) != 2 {
		t.Fatalf("%d evidence rows, want 2", len(ev))
	}
	// An auditor downloads a file: bytes intact, the download on the timeline.
	auditor, _ := app.signedIn(auth.RoleAuditor)
	res = auditor.get(base + "/evidence/" + itoa(ev[1].ID))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("X-Content-SHA256") != ev[1].SHA256 {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
	p, _ := svc.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "evidence.downloaded"})
	if p.Total != 1 || !strings.HasPrefix(p.Events[0].Actor, "auditor-") {
		t.Errorf("download events %d", p.Total)
	}
	// The auditor sees no forms that change the case: only log-out and the export.
	forms := doc(t, auditor.get(base)).Find(`form[method="post"]`)
	if n := forms.Length(); n != 2 || forms.Filter(`[action$="/export"]`).Length() != 1 {
		t.Errorf("auditor sees %d post forms", n)
	}
	// Environment tracking and the order warning.
	patch := task.ID
	officer.post(base+"/tasks/"+itoa(patch)+"/environments", nil)
	res = officer.post(base+"/tasks/"+itoa(patch)+"/environments/production", url.Values{"status": {"verified"}, "note": {"checkout works"}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("env status: %d", res.StatusCode)
	}
	d = doc(t, officer.get(base))
	if got := text(d, "env-warning"); !strings.Contains(got, "production is verified but sandbox is not verified") {
		t.Errorf("order warning %q", got)
	}
	// Closing makes it read-only: a task edit is refused with a reason.
	cur, _ := svc.Get(ctx, c.Reference)
	if res := officer.post(base+"/status", url.Values{"status": {"closed"}, "version": {itoa(int64(cur.Version))}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", res.StatusCode)
	}
	tasks, _ := svc.Tasks(ctx, c.ID)
	res = officer.post(base+"/tasks/"+itoa(tasks[2].ID)+"/status", url.Values{"status": {"done"}, "version": {itoa(int64(tasks[2].Version))}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(text(doc(t, res), "action-error"), "closed") {
		t.Errorf("task edit on closed case: %d", res.StatusCode)
	}
	if r, _ := svc.Verify(ctx, c.Reference); !r.Intact() {
		t.Errorf("chain broken: %+v", r)
	}
}

func TestCaseListFiltersAndTimelineFilter(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := app.signedIn(auth.RoleReviewer)
	opened, _, _ := app.caseWithEvidence()
	second, _, _ := app.caseWithEvidence()
	if d := doc(t, c.get("/cases?q="+url.QueryEscape(second.Reference))); d.Find(`[data-testid="cases"] tbody tr`).Length() != 1 {
		t.Errorf("search by reference")
	}
	if d := doc(t, c.get("/cases?status=closed")); text(d, "cases-empty") == "" {
		t.Errorf("closed filter should be empty")
	}
	if res := c.get("/cases?status=bogus"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad status filter: %d", res.StatusCode)
	}
	if d := doc(t, c.get("/cases")); d.Find(`[data-testid="open-case"]`).Length() != 0 {
		t.Error("a reviewer is offered to open a case")
	}
	d := doc(t, c.get("/cases/"+opened.Reference+"?kind=evidence.added"))
	kinds := d.Find(`[data-testid="event-kind"]`)
	if kinds.Length() != 1 || kinds.Text() != "evidence.added" {
		t.Errorf("timeline filter shows %d events: %q", kinds.Length(), kinds.Text())
	}
}

func TestAdminSettingsAndPlaybooks(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := app.signedIn(auth.RoleAdmin)
	d := doc(t, admin.get("/admin/settings"))
	version, _ := d.Find(`input[name="version"]`).Attr("value")
	res := admin.post("/admin/settings", url.Values{"primary_clock_hours": {"abc"}, "environments": {"sandbox"}, "version": {version}})
	if res.StatusCode != http.StatusUnprocessableEntity || text(doc(t, res), "primary_clock_hours-error") == "" {
		t.Errorf("bad hours: %d", res.StatusCode)
	}
	if res := admin.post("/admin/settings", url.Values{"primary_clock_hours": {"96"}, "environments": {"sandbox\r\nproduction"}, "version": {version}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if res := admin.post("/admin/settings", url.Values{"primary_clock_hours": {"24"}, "environments": {"x"}, "version": {version}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale settings: %d", res.StatusCode)
	}
	st, _ := cases.NewService(app.pool).Settings(context.Background())
	if st.PrimaryClockHours != 96 || strings.Join(st.Environments, ",") != "sandbox,production" {
		t.Errorf("settings %+v", st)
	}
	if res := admin.post("/admin/playbooks", url.Values{"name": {"Support tool leak"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create playbook: %d", res.StatusCode)
	}
	pbs, _ := cases.NewService(app.pool).Playbooks(context.Background())
	var id int64
	for _, p := range pbs {
		if p.Name == "Support tool leak" {
			id = p.ID
		}
	}
	res = admin.post("/admin/playbooks/"+itoa(id)+"/tasks", url.Values{"phase": {"Contain"}, "title": {""}, "due_offset_hours": {"x"}})
	if res.StatusCode != http.StatusUnprocessableEntity || text(doc(t, res), "title-error") == "" {
		t.Errorf("bad task: %d", res.StatusCode)
	}
	if res := admin.post("/admin/playbooks/"+itoa(id)+"/tasks", url.Values{"phase": {"Contain"}, "title": {"Suspend the support macro"}, "due_offset_hours": {"4"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("add task: %d", res.StatusCode)
	}
	if !strings.Contains(doc(t, admin.get("/admin/playbooks")).Find(`[data-testid="playbook-Support tool leak"]`).Text(), "Suspend the support macro") {
		t.Error("task not listed")
	}
}

func TestAccountTimeZone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, u := app.signedIn(auth.RoleAuditor)
	if res := c.post("/account/time-zone", url.Values{"time_zone": {"Atlantis/Capital"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad zone: %d", res.StatusCode)
	}
	if res := c.post("/account/time-zone", url.Values{"time_zone": {"Europe/Berlin"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("zone: %d", res.StatusCode)
	}
	got, _ := app.users.Get(context.Background(), u.ID)
	if got.TimeZone != "Europe/Berlin" {
		t.Errorf("zone %q", got.TimeZone)
	}
}
