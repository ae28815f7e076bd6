package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/db/dbtest"
)

type fixture struct {
	pool  *pgxpool.Pool
	svc   *cases.Service
	actor cases.Actor
	owner auth.User
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	pool, _ := dbtest.New(t)
	u, err := auth.NewStore(pool).Create(context.Background(), auth.NewUser{
		Email: "officer@example.com", DisplayName: "Dana Officer", Role: auth.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool: pool, svc: cases.NewService(pool), actor: cases.Actor{ID: u.ID, Email: u.Email}, owner: u}
}

func (f fixture) facts() cases.Facts {
	return cases.Facts{
		Title: "Stolen OAuth token of the marketing sync app", Severity: "high", OwnerID: f.owner.ID,
		DiscoveredAt: time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second),
		DataElements: []string{"name", "email", "ssn"}, AffectedSystems: []string{"salesforce"},
		AttackVector: "oauth_token_misuse",
	}
}

func (f fixture) open(t *testing.T) cases.Case {
	t.Helper()
	c, err := f.svc.Open(context.Background(), f.actor, cases.NewCase{Facts: f.facts()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var v *cases.ValidationError
	if !errors.As(err, &v) || v.Fields[field] == "" {
		t.Errorf("got %v, want a validation error on %s", err, field)
	}
}

func TestOpenGivesSequentialReferencesTasksAndAnEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.open(t)
	b := f.open(t)
	year := time.Now().UTC().Year()
	if a.Reference != "BR-"+itoa(year)+"-0001" || b.Reference != "BR-"+itoa(year)+"-0002" {
		t.Errorf("references %s, %s", a.Reference, b.Reference)
	}
	if a.Status != "triage" || a.PrimaryClockHours != 72 || a.OwnerName != "Dana Officer" {
		t.Errorf("opened %+v", a)
	}
	tasks, err := f.svc.Tasks(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 10 {
		t.Fatalf("%d tasks from the default playbook, want 10", len(tasks))
	}
	if !strings.Contains(tasks[0].Title, "Revoke OAuth tokens") || !tasks[0].DueAt.Equal(a.DiscoveredAt.Add(2*time.Hour)) {
		t.Errorf("first task %q due %s", tasks[0].Title, tasks[0].DueAt)
	}
	page, _ := f.svc.Timeline(ctx, a.ID, cases.TimelineFilter{})
	if page.Total != 1 || page.Events[0].Kind != "case.opened" || page.Events[0].Actor != "officer@example.com" {
		t.Errorf("timeline %+v", page)
	}
	none, err := f.svc.Open(ctx, f.actor, cases.NewCase{Facts: f.facts(), Playbook: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if tasks, _ := f.svc.Tasks(ctx, none.ID); len(tasks) != 0 {
		t.Errorf("playbook none gave %d tasks", len(tasks))
	}
}

func TestOpenRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	future := f.facts()
	future.DiscoveredAt = time.Now().Add(time.Hour)
	_, err := f.svc.Open(ctx, f.actor, cases.NewCase{Facts: future})
	fieldErr(t, err, "discovered_at")

	backwards := f.facts()
	from, to := time.Now().Add(-48*time.Hour), time.Now().Add(-72*time.Hour)
	backwards.OccurredFrom, backwards.OccurredTo = &from, &to
	_, err = f.svc.Open(ctx, f.actor, cases.NewCase{Facts: backwards})
	fieldErr(t, err, "occurred_to")

	noOwner := f.facts()
	noOwner.OwnerID = 424242
	_, err = f.svc.Open(ctx, f.actor, cases.NewCase{Facts: noOwner})
	fieldErr(t, err, "owner")

	_, err = f.svc.Open(ctx, f.actor, cases.NewCase{Facts: f.facts(), Playbook: "Nope"})
	fieldErr(t, err, "playbook")

	badElement := f.facts()
	badElement.DataElements = []string{"shoe_size"}
	_, err = f.svc.Open(ctx, f.actor, cases.NewCase{Facts: badElement})
	fieldErr(t, err, "data_elements")

	var n int
	f.pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n)
	if n != 0 {
		t.Errorf("%d cases stored after refused input", n)
	}
}

func TestUpdateNeedsAReasonForAnchorsAndRefusesStaleForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	moved := c.Facts
	moved.DiscoveredAt = c.DiscoveredAt.Add(-time.Hour)
	_, err := f.svc.Update(ctx, f.actor, c.Reference, c.Version, moved, "")
	fieldErr(t, err, "reason")

	updated, err := f.svc.Update(ctx, f.actor, c.Reference, c.Version, moved, "SOC ticket shows the first alert an hour earlier")
	if err != nil {
		t.Fatal(err)
	}
	if updated.Version != c.Version+1 || !updated.DiscoveredAt.Equal(moved.DiscoveredAt) {
		t.Errorf("after update: %+v", updated)
	}
	page, _ := f.svc.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "case.updated"})
	if page.Total != 1 {
		t.Fatalf("%d update events", page.Total)
	}
	var p struct {
		Changes map[string]cases.Change
		Reason  string
	}
	json.Unmarshal(page.Events[0].Payload, &p)
	if p.Reason == "" || p.Changes["discovered_at"].From == nil || len(p.Changes) != 1 {
		t.Errorf("event payload %s", page.Events[0].Payload)
	}

	// The form loaded before the change is stale.
	retitled := c.Facts
	retitled.Title = "Someone else's title"
	if _, err := f.svc.Update(ctx, f.actor, c.Reference, c.Version, retitled, ""); !errors.Is(err, cases.ErrStale) {
		t.Errorf("stale update: %v", err)
	}
	if got, _ := f.svc.Get(ctx, c.Reference); got.Title != c.Title {
		t.Errorf("stale update overwrote the title: %q", got.Title)
	}
}

func TestClosedCaseIsReadOnlyUntilReopened(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	closed, err := f.svc.SetStatus(ctx, f.actor, c.Reference, c.Version, "closed", "")
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := f.svc.Tasks(ctx, c.ID)
	if err := f.svc.SetTaskStatus(ctx, f.actor, c.Reference, tasks[0].ID, tasks[0].Version, "done", ""); !errors.Is(err, cases.ErrClosed) {
		t.Errorf("task edit on a closed case: %v", err)
	}
	if err := f.svc.AddNote(ctx, f.actor, c.Reference, "late note"); !errors.Is(err, cases.ErrClosed) {
		t.Errorf("note on a closed case: %v", err)
	}
	if _, err := f.svc.Update(ctx, f.actor, c.Reference, closed.Version, c.Facts, ""); !errors.Is(err, cases.ErrClosed) {
		t.Errorf("update on a closed case: %v", err)
	}
	_, err = f.svc.SetStatus(ctx, f.actor, c.Reference, closed.Version, "investigating", "")
	fieldErr(t, err, "reason")
	reopened, err := f.svc.SetStatus(ctx, f.actor, c.Reference, closed.Version, "investigating", "Regulator asked a new question")
	if err != nil || reopened.Status != "investigating" {
		t.Fatalf("reopen: %v %+v", err, reopened)
	}
	for _, kind := range []string{"case.closed", "case.reopened"} {
		if p, _ := f.svc.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: kind}); p.Total != 1 {
			t.Errorf("%d %s events", p.Total, kind)
		}
	}
}

func TestTaskLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	tasks, _ := f.svc.Tasks(ctx, c.ID)
	task := tasks[1]
	if err := f.svc.SetTaskStatus(ctx, f.actor, c.Reference, task.ID, task.Version, "in_progress", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetTaskStatus(ctx, f.actor, c.Reference, task.ID, task.Version, "done", ""); !errors.Is(err, cases.ErrStale) {
		t.Errorf("stale task form: %v", err)
	}
	err := f.svc.SetTaskStatus(ctx, f.actor, c.Reference, task.ID, task.Version+1, "not_applicable", "  ")
	fieldErr(t, err, "reason")
	if err := f.svc.SetTaskStatus(ctx, f.actor, c.Reference, task.ID, task.Version+1, "done", ""); err != nil {
		t.Fatal(err)
	}
	tasks, _ = f.svc.Tasks(ctx, c.ID)
	if tasks[1].Status != "done" || tasks[1].CompletedAt == nil {
		t.Errorf("task after done: %+v", tasks[1])
	}
	// Reassign the task; an unknown owner is refused.
	other, err := auth.NewStore(f.pool).Create(ctx, auth.NewUser{Email: "omar@example.com", DisplayName: "Omar", Role: auth.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.UpdateTask(ctx, f.actor, c.Reference, task.ID, tasks[1].Version, cases.TaskChange{Status: "done", OwnerID: 777777})
	fieldErr(t, err, "owner")
	if err := f.svc.UpdateTask(ctx, f.actor, c.Reference, task.ID, tasks[1].Version, cases.TaskChange{Status: "done", OwnerID: other.ID}); err != nil {
		t.Fatal(err)
	}
	tasks, _ = f.svc.Tasks(ctx, c.ID)
	if tasks[1].OwnerName != "Omar" {
		t.Errorf("task owner %q", tasks[1].OwnerName)
	}
	if p, _ := f.svc.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "task.owner"}); p.Total != 1 {
		t.Errorf("%d owner events", p.Total)
	}
	if err := f.svc.SetTaskStatus(ctx, f.actor, c.Reference, 999999, 1, "done", ""); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	p, _ := f.svc.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: "task.status"})
	var newest struct{ From, To string }
	json.Unmarshal(p.Events[0].Payload, &newest)
	if p.Total != 2 || newest.From != "in_progress" || newest.To != "done" {
		t.Errorf("task events %d, newest %s", p.Total, p.Events[0].Payload)
	}
}

func TestTimelineIsAppendOnlyAndTamperingIsDetected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	for i := 0; i < 4; i++ {
		if err := f.svc.AddNote(ctx, f.actor, c.Reference, "note "+itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.svc.Verify(ctx, c.Reference)
	if err != nil || !r.Intact() || r.Events != 5 || len(r.Head) != 64 {
		t.Fatalf("verify intact chain: %+v %v", r, err)
	}
	for _, sql := range []string{
		`UPDATE case_events SET payload = '{"text":"rewritten"}' WHERE seq = 3`,
		`DELETE FROM case_events WHERE seq = 2`,
		`TRUNCATE case_events`,
	} {
		if _, err := f.pool.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want refusal", sql, err)
		}
	}
	// Someone with superuser rights disables the trigger and edits a row.
	tamper := func(sql string) {
		t.Helper()
		_, err := f.pool.Exec(ctx, `ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete; `+sql+
			`; ALTER TABLE case_events ENABLE TRIGGER case_events_no_update_delete`)
		if err != nil {
			t.Fatal(err)
		}
	}
	tamper(`UPDATE case_events SET payload = '{"text": "rewritten"}' WHERE case_id = ` + itoa(int(c.ID)) + ` AND seq = 3`)
	r, err = f.svc.Verify(ctx, c.Reference)
	if err != nil || r.Intact() || r.BrokenSeq != 3 || !strings.Contains(r.Reason, "altered") {
		t.Errorf("edited event: %+v %v", r, err)
	}
	tamper(`DELETE FROM case_events WHERE case_id = ` + itoa(int(c.ID)) + ` AND seq IN (2, 3)`)
	r, _ = f.svc.Verify(ctx, c.Reference)
	if r.BrokenSeq != 4 || !strings.Contains(r.Reason, "missing") {
		t.Errorf("removed events: %+v", r)
	}
}

func TestDeadlinesAndBands(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.open(t)
	if err := f.svc.AddClock(ctx, f.actor, c.Reference, "Partner contract notice", c.DiscoveredAt, 48); err != nil {
		t.Fatal(err)
	}
	err := f.svc.AddClock(ctx, f.actor, c.Reference, "", time.Time{}, 0)
	for _, field := range []string{"label", "anchor_at", "hours"} {
		fieldErr(t, err, field)
	}
	ds, err := f.svc.Deadlines(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || !ds[0].Due.Equal(c.DiscoveredAt.Add(72*time.Hour)) || !ds[1].Due.Equal(c.DiscoveredAt.Add(48*time.Hour)) {
		t.Fatalf("deadlines %+v", ds)
	}
	due := ds[0].Due
	for _, tc := range []struct {
		at   time.Time
		want cases.Band
	}{
		{due.Add(-24 * time.Hour), cases.BandOK},
		{due.Add(-24*time.Hour + time.Second), cases.BandSoon},
		{due.Add(-6 * time.Hour), cases.BandSoon},
		{due.Add(-6*time.Hour + time.Second), cases.BandCritical},
		{due.Add(-time.Second), cases.BandCritical},
		{due, cases.BandOverdue},
	} {
		if got := ds[0].BandAt(tc.at); got != tc.want {
			t.Errorf("%s before the deadline: band %s, want %s", due.Sub(tc.at), got, tc.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
