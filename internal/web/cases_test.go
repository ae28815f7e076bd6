package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
)

func TestCaseListAndPageShowClocksTasksAndTimeline(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := app.signedIn(auth.RoleAuditor)
	owner := app.user(auth.RoleOfficer)
	svc := cases.NewService(app.pool)
	discovered := time.Now().Add(-70 * time.Hour).UTC().Truncate(time.Minute)
	opened, err := svc.Open(context.Background(), cases.Actor{ID: owner.ID, Email: owner.Email}, cases.NewCase{Facts: cases.Facts{
		Title: "Support permission set exported Contacts", Severity: "critical", OwnerID: owner.ID, DiscoveredAt: discovered,
	}})
	if err != nil {
		t.Fatal(err)
	}
	d := doc(t, c.get("/cases"))
	row := d.Find(`[data-testid="cases"] tbody tr`)
	if row.Length() != 1 || !strings.Contains(row.Text(), opened.Reference) || !strings.Contains(row.Text(), "Under 6 h") {
		t.Errorf("case list row: %q", row.Text())
	}

	res := c.get("/cases/" + strings.ToLower(opened.Reference))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("case page: %d", res.StatusCode)
	}
	d = doc(t, res)
	clock := d.Find(`[data-testid="clock"]`).First()
	due := discovered.Add(72 * time.Hour)
	if dt, _ := clock.Find("time").Attr("datetime"); dt != due.Format(time.RFC3339) {
		t.Errorf("clock due %q, want %s", dt, due.Format(time.RFC3339))
	}
	if !strings.Contains(clock.Text(), "UTC") || !strings.Contains(clock.Text(), "Under 6 h") || !strings.Contains(clock.Text(), "left") {
		t.Errorf("clock text %q: want the zone named, the band in words and the time left", clock.Text())
	}
	if n := d.Find(`[data-testid="tasks"] > li`).Length(); n != 10 {
		t.Errorf("%d task rows", n)
	}
	if !strings.Contains(text(d, "timeline"), "case.opened") {
		t.Errorf("timeline %q", text(d, "timeline"))
	}
}
