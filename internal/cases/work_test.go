package cases_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/cases"
)

func TestListFiltersSearchAndPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var refs []string
	for i, hoursAgo := range []int{10, 80, 30, 2} {
		facts := f.facts()
		facts.Title = []string{"Alpha leak", "Bravo 100% export", "Charlie token", "Delta_case"}[i]
		facts.DiscoveredAt = time.Now().Add(-time.Duration(hoursAgo) * time.Hour)
		c, err := f.svc.Open(ctx, f.actor, cases.NewCase{Facts: facts, Playbook: "none"})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, c.Reference)
	}
	p, err := f.svc.List(ctx, cases.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	order := []string{}
	for _, it := range p.Items {
		order = append(order, it.Reference)
	}
	// Nearest deadline first: discovered 80 h ago (overdue), 30, 10, 2.
	if want := []string{refs[1], refs[2], refs[0], refs[3]}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("order %v, want %v", order, want)
	}
	// An extra clock that runs out sooner moves a case up.
	if err := f.svc.AddClock(ctx, f.actor, refs[3], "Partner notice", time.Now().Add(-100*time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.svc.List(ctx, cases.ListFilter{}); p.Items[0].Reference != refs[3] || !p.Items[0].NextDue.Before(p.Items[0].PrimaryDue) {
		t.Errorf("after a sooner extra clock the first case is %s", p.Items[0].Reference)
	}
	if p, _ := f.svc.List(ctx, cases.ListFilter{Overdue: true}); p.Total != 2 || p.Items[0].Reference != refs[3] || p.Items[1].Reference != refs[1] {
		t.Errorf("overdue filter: %+v", p)
	}
	for q, want := range map[string]int{"token": 1, "100%": 1, "_": 1, "BR-": 4, "zulu": 0} {
		if p, _ := f.svc.List(ctx, cases.ListFilter{Query: q}); p.Total != want {
			t.Errorf("search %q: %d results, want %d", q, p.Total, want)
		}
	}
	c, _ := f.svc.Get(ctx, refs[0])
	if _, err := f.svc.SetStatus(ctx, f.actor, c.Reference, c.Version, "closed", ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.svc.List(ctx, cases.ListFilter{}); p.Total != 3 {
		t.Errorf("open cases after closing one: %d", p.Total)
	}
	if p, _ := f.svc.List(ctx, cases.ListFilter{Status: "closed"}); p.Total != 1 {
		t.Errorf("closed filter: %d", p.Total)
	}
	p, _ = f.svc.List(ctx, cases.ListFilter{Status: "all", PerPage: 3, Page: 2})
	if p.Total != 4 || len(p.Items) != 1 || p.Pages() != 2 {
		t.Errorf("page 2 of 3 per page: total %d items %d pages %d", p.Total, len(p.Items), p.Pages())
	}
	if p, _ := f.svc.List(ctx, cases.ListFilter{OwnerID: f.owner.ID + 1000}); p.Total != 0 {
		t.Errorf("owner filter: %d", p.Total)
	}
	_, err = f.svc.List(ctx, cases.ListFilter{Status: "bogus"})
	fieldErr(t, err, "status")
}

func TestSettingsChangeTheClockOfNewCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	st, err := f.svc.Settings(ctx)
	if err != nil || st.PrimaryClockHours != 72 || strings.Join(st.Environments, ",") != "sandbox,staging,production" {
		t.Fatalf("defaults %+v %v", st, err)
	}
	before := f.open(t)
	st.PrimaryClockHours = 48
	st.Environments = []string{"dev sandbox", " uat ", "production", "production"}
	saved, err := f.svc.SaveSettings(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(saved.Environments, ",") != "dev sandbox,uat,production" {
		t.Errorf("environments %q", saved.Environments)
	}
	if _, err := f.svc.SaveSettings(ctx, st); !errors.Is(err, cases.ErrStale) {
		t.Errorf("stale settings form: %v", err)
	}
	after := f.open(t)
	if after.PrimaryClockHours != 48 {
		t.Errorf("new case clock %d", after.PrimaryClockHours)
	}
	if got, _ := f.svc.Get(ctx, before.Reference); got.PrimaryClockHours != 72 {
		t.Errorf("open case clock changed to %d", got.PrimaryClockHours)
	}
	saved.PrimaryClockHours, saved.Environments = 0, nil
	_, err = f.svc.SaveSettings(ctx, saved)
	fieldErr(t, err, "primary_clock_hours")
	fieldErr(t, err, "environments")
}

func TestPlaybookEditing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.svc.CreatePlaybook(ctx, "Marketing platform leak", "For leaks out of the marketing tool")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreatePlaybook(ctx, "Marketing platform leak", "")
	fieldErr(t, err, "name")
	if err := f.svc.AddPlaybookTask(ctx, id, cases.PlaybookTask{Phase: "Contain", Title: "Pause every journey", DueOffsetHours: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddPlaybookTask(ctx, id, cases.PlaybookTask{Phase: "Notify", Title: "Tell the vendor", DueOffsetHours: 24}); err != nil {
		t.Fatal(err)
	}
	err = f.svc.AddPlaybookTask(ctx, id, cases.PlaybookTask{Title: "", DueOffsetHours: -1})
	fieldErr(t, err, "title")
	fieldErr(t, err, "phase")
	fieldErr(t, err, "due_offset_hours")
	if err := f.svc.AddPlaybookTask(ctx, 999999, cases.PlaybookTask{Phase: "X", Title: "Y"}); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("unknown playbook: %v", err)
	}
	c, err := f.svc.Open(ctx, f.actor, cases.NewCase{Facts: f.facts(), Playbook: "Marketing platform leak"})
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := f.svc.Tasks(ctx, c.ID)
	if len(tasks) != 2 || tasks[1].Title != "Tell the vendor" || !tasks[1].DueAt.Equal(c.DiscoveredAt.Add(24*time.Hour)) {
		t.Errorf("tasks %+v", tasks)
	}
	pbs, _ := f.svc.Playbooks(ctx)
	var mine cases.Playbook
	for _, p := range pbs {
		if p.ID == id {
			mine = p
		}
	}
	if err := f.svc.RemovePlaybookTask(ctx, id, mine.Tasks[0].ID); err != nil {
		t.Fatal(err)
	}
	if tasks, _ := f.svc.Tasks(ctx, c.ID); len(tasks) != 2 {
		t.Errorf("removing a playbook task changed an open case: %d tasks", len(tasks))
	}
}

func TestEvidenceFilesAreCheckedHashedAndDownloadsRecorded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	tasks, _ := f.svc.Tasks(ctx, c.ID)
	pdf := append([]byte("%PDF-1.4\n"), []byte(strings.Repeat("x", 100))...)
	if err := f.svc.AddEvidence(ctx, f.actor, c.Reference, tasks[0].ID, "Revocation screenshot export", &cases.Upload{Name: `C:\\evidence\\revocation.pdf`, Data: pdf}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddEvidence(ctx, f.actor, c.Reference, tasks[0].ID, "Tokens revoked at 09:40 by Dana", nil); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		up   cases.Upload
		want string
	}{
		{cases.Upload{Name: "payload.exe", Data: []byte("MZ\x90\x00")}, "not accepted"},
		{cases.Upload{Name: "page.html", Data: []byte("<html><script>alert(1)</script>")}, "not accepted"},
		{cases.Upload{Name: "fake.pdf", Data: []byte("<html><body>not a pdf</body></html>")}, "does not match"},
		{cases.Upload{Name: "big.txt", Data: make([]byte, cases.MaxAttachmentBytes+1)}, "limit is 10 MB"},
		{cases.Upload{Name: "empty.txt", Data: nil}, "empty"},
	} {
		err := f.svc.AddEvidence(ctx, f.actor, c.Reference, tasks[0].ID, "note", &bad.up)
		var v *cases.ValidationError
		if !errors.As(err, &v) || !strings.Contains(v.Fields["file"], bad.want) {
			t.Errorf("%s: got %v, want %q", bad.up.Name, err, bad.want)
		}
	}
	ev, err := f.svc.Evidence(ctx, c.ID)
	if err != nil || len(ev) != 2 {
		t.Fatalf("evidence %+v %v", ev, err)
	}
	if ev[0].FileName != "revocation.pdf" || ev[0].Size != int64(len(pdf)) || len(ev[0].SHA256) != 64 || ev[1].FileName != "" {
		t.Errorf("evidence rows %+v", ev)
	}
	got, data, err := f.svc.EvidenceFile(ctx, f.actor, c.Reference, ev[0].ID)
	if err != nil || string(data) != string(pdf) || got.ContentType != "application/pdf" {
		t.Errorf("download: %v %q", err, got.ContentType)
	}
	if _, _, err := f.svc.EvidenceFile(ctx, f.actor, c.Reference, ev[1].ID); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("download of a note without file: %v", err)
	}
	p, _ := f.svc.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "evidence.downloaded"})
	if p.Total != 1 {
		t.Errorf("%d download events", p.Total)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE task_evidence SET note = 'changed'`); err == nil {
		t.Error("evidence was edited in place")
	}
	if r, _ := f.svc.Verify(ctx, c.Reference); !r.Intact() || r.Events != 4 {
		t.Errorf("chain %+v", r)
	}
}

func TestEnvironmentMatrixWarnsWhenOrderIsBroken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	tasks, _ := f.svc.Tasks(ctx, c.ID)
	patch := tasks[7]
	if err := f.svc.TrackEnvironments(ctx, f.actor, c.Reference, patch.ID); err != nil {
		t.Fatal(err)
	}
	f.svc.TrackEnvironments(ctx, f.actor, c.Reference, patch.ID) // twice: no effect
	m, err := f.svc.Environments(ctx, c.ID)
	if err != nil || len(m[patch.ID]) != 3 || m[patch.ID][0].Environment != "sandbox" {
		t.Fatalf("matrix %+v %v", m, err)
	}
	err = f.svc.SetEnvStatus(ctx, f.actor, c.Reference, patch.ID, "production", 1, "verified", "")
	fieldErr(t, err, "note")
	if err := f.svc.SetEnvStatus(ctx, f.actor, c.Reference, patch.ID, "production", 1, "verified", "login flow works"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetEnvStatus(ctx, f.actor, c.Reference, patch.ID, "production", 1, "failed", "x"); !errors.Is(err, cases.ErrStale) {
		t.Errorf("stale: %v", err)
	}
	if err := f.svc.SetEnvStatus(ctx, f.actor, c.Reference, patch.ID, "mars", 1, "verified", "x"); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("unknown environment: %v", err)
	}
	m, _ = f.svc.Environments(ctx, c.ID)
	w := cases.OrderWarnings(m[patch.ID])
	if len(w) != 1 || !strings.Contains(w[0], "production is verified but sandbox is not verified") {
		t.Errorf("warnings %q", w)
	}
	f.svc.SetEnvStatus(ctx, f.actor, c.Reference, patch.ID, "sandbox", 1, "verified", "ok in sandbox")
	f.svc.SetEnvStatus(ctx, f.actor, c.Reference, patch.ID, "staging", 1, "verified", "ok in staging")
	m, _ = f.svc.Environments(ctx, c.ID)
	if w := cases.OrderWarnings(m[patch.ID]); len(w) != 0 {
		t.Errorf("warnings after verifying in order: %q", w)
	}
}

func TestMyTasksOverdueFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	old := f.facts()
	old.DiscoveredAt = time.Now().Add(-100 * time.Hour)
	if _, err := f.svc.Open(ctx, f.actor, cases.NewCase{Facts: old}); err != nil {
		t.Fatal(err)
	}
	fresh := f.open(t)
	tasks, _ := f.svc.Tasks(ctx, fresh.ID)
	f.svc.SetTaskStatus(ctx, f.actor, fresh.Reference, tasks[0].ID, tasks[0].Version, "done", "")
	mine, err := f.svc.MyTasks(ctx, f.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 19 {
		t.Errorf("%d open tasks, want 19", len(mine))
	}
	for i := 1; i < len(mine); i++ {
		if mine[i].DueAt.Before(mine[i-1].DueAt) {
			t.Fatalf("not sorted by due time at %d", i)
		}
	}
	if !mine[0].DueAt.Before(time.Now()) || mine[0].CaseReference == fresh.Reference {
		t.Errorf("first task %+v is not the overdue one", mine[0])
	}
}
