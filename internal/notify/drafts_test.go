package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
)

func TestWordDiff(t *testing.T) {
	t.Parallel()
	parts := notify.WordDiff("We revoked the token quickly.", "We revoked the stolen token at once.")
	var del, ins []string
	for _, p := range parts {
		switch p.Op {
		case "delete":
			del = append(del, strings.TrimSpace(p.Text))
		case "insert":
			ins = append(ins, strings.TrimSpace(p.Text))
		}
	}
	if strings.Join(del, "|") != "quickly." || !strings.Contains(strings.Join(ins, "|"), "stolen") || !strings.Contains(strings.Join(ins, "|"), "at once.") {
		t.Errorf("delete %q insert %q", del, ins)
	}
}

func TestDraftsReviewAndApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]int{"CA": 501, "MA": 7})
	ctx := context.Background()
	if _, err := f.svc.CreateDrafts(ctx, f.actor, f.kase, ""); !errors.Is(err, notify.ErrNoAcceptedSet) {
		t.Fatalf("drafts before accepting: %v", err)
	}
	live, _, _ := f.svc.Compute(ctx, f.kase)
	if _, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live)); err != nil {
		t.Fatal(err)
	}
	// The organisation's contact e-mail is missing: no draft is made.
	_, err := f.svc.CreateDrafts(ctx, f.actor, f.kase, "")
	var te *notify.TemplateError
	if !errors.As(err, &te) || !strings.Contains(te.Problem, "contact e-mail") {
		t.Fatalf("missing contact: %v", err)
	}
	if ds, _ := f.svc.Drafts(ctx, f.kase.ID); len(ds) != 0 {
		t.Fatalf("%d drafts created half-filled", len(ds))
	}
	if _, err := f.pool.Exec(ctx, `UPDATE org_settings SET org_name = 'Acme Outfitters', contact_email = 'privacy@acme.example',
		contact_phone = '1-800-555-0199', id_protection_offer = 'credit monitoring and identity restoration', id_protection_months = 24`); err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.CreateDrafts(ctx, f.actor, f.kase, "")
	if err != nil || n < 3 {
		t.Fatalf("drafts: %d %v", n, err)
	}
	if again, _ := f.svc.CreateDrafts(ctx, f.actor, f.kase, ""); again != 0 {
		t.Errorf("second run made %d more drafts", again)
	}
	ds, _ := f.svc.Drafts(ctx, f.kase.ID)
	var ca, ma notify.Draft
	for _, d := range ds {
		switch {
		case d.Jurisdiction == "CA" && d.Kind == "individuals":
			ca, _ = f.svc.Draft(ctx, f.kase.ID, d.ID)
		case d.Jurisdiction == "MA" && d.Kind == "individuals":
			ma, _ = f.svc.Draft(ctx, f.kase.ID, d.ID)
		}
	}
	body := ca.CurrentVersion().Body
	if !strings.HasPrefix(body, "# Notice of Data Breach") || !strings.Contains(body, "1-888-397-3742") || !strings.Contains(body, "24 months") {
		t.Errorf("California draft:\n%s", body)
	}
	for _, c := range f.svc.Check(f.kase, ca, body, 501) {
		if !c.Pass {
			t.Errorf("CA check %q fails on the template's own draft", c.Rule)
		}
	}
	// A CA draft with its headings shuffled fails; an MA draft giving the count fails.
	bad := strings.Replace(body, "## What Happened", "## Background", 1)
	if failed := notify.Failed(f.svc.Check(f.kase, ca, bad, 501)); len(failed) != 1 || !strings.Contains(failed[0], "headings") {
		t.Errorf("CA without its headings: %v", failed)
	}
	maBody := ma.CurrentVersion().Body
	if failed := notify.Failed(f.svc.Check(f.kase, ma, maBody, 7)); len(failed) != 0 {
		t.Errorf("MA template fails: %v\n%s", failed, maBody)
	}
	if failed := notify.Failed(f.svc.Check(f.kase, ma, maBody+"\nThe incident affected 7 Massachusetts residents.\n", 7)); len(failed) != 1 {
		t.Errorf("MA with the count: %v", failed)
	}

	// The author submits; the author cannot approve; another reviewer can.
	if err := f.svc.Review(ctx, f.actor, f.kase, ca.ID, 0, "approve", "", ""); !errors.Is(err, notify.ErrDraftState) {
		t.Errorf("approve before review: %v", err)
	}
	if err := f.svc.Review(ctx, f.actor, f.kase, ca.ID, 0, "submit", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Review(ctx, f.actor, f.kase, ca.ID, 0, "approve", "", ""); !errors.Is(err, notify.ErrOwnApproval) {
		t.Errorf("author approving: %v", err)
	}
	rev, _ := auth.NewStore(f.pool).Create(ctx, auth.NewUser{Email: "riley@example.com", DisplayName: "Riley", Role: auth.RoleReviewer, Password: "correct horse battery"})
	reviewer := cases.Actor{ID: rev.ID, Email: rev.Email}
	if err := f.svc.Review(ctx, reviewer, f.kase, ca.ID, 0, "request_changes", "Say which system was involved.", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.svc.ApprovedBody(ctx, f.kase.ID, ca.ID); !errors.Is(err, notify.ErrDraftState) {
		t.Errorf("export before approval: %v", err)
	}
	ca, _ = f.svc.Draft(ctx, f.kase.ID, ca.ID)
	edited := strings.Replace(body, "customer records system", "Salesforce customer records system", 1)
	if err := f.svc.Edit(ctx, f.actor, f.kase.ID, ca.ID, ca.Version, edited); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Edit(ctx, f.actor, f.kase.ID, ca.ID, ca.Version, edited+"x"); !errors.Is(err, cases.ErrStale) {
		t.Errorf("stale edit: %v", err)
	}
	cur, _ := f.svc.Draft(ctx, f.kase.ID, ca.ID)
	var same *cases.ValidationError
	if err := f.svc.Edit(ctx, f.actor, f.kase.ID, ca.ID, cur.Version, edited); !errors.As(err, &same) || !strings.Contains(same.Fields["body"], "Nothing changed") {
		t.Errorf("edit that changes nothing: %v", err)
	}
	f.svc.Review(ctx, f.actor, f.kase, ca.ID, 0, "submit", "", "")
	if err := f.svc.Review(ctx, reviewer, f.kase, ca.ID, 0, "approve", "", ""); err != nil {
		t.Fatal(err)
	}
	d, v, approval, err := f.svc.ApprovedBody(ctx, f.kase.ID, ca.ID)
	if err != nil || v.Number != 2 || approval.SHA256 != v.SHA256 || approval.Reviewer != "riley@example.com" {
		t.Fatalf("approved: %+v %+v %v", v, approval, err)
	}
	// An edit after approval is a new version that needs approval again.
	if err := f.svc.Edit(ctx, f.actor, f.kase.ID, ca.ID, d.Version, edited+"\nP.S.\n"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.svc.ApprovedBody(ctx, f.kase.ID, ca.ID); !errors.Is(err, notify.ErrDraftState) {
		t.Errorf("export after a new edit: %v", err)
	}
	// A failing draft is approved only with a written override.
	ca, _ = f.svc.Draft(ctx, f.kase.ID, ca.ID)
	f.svc.Edit(ctx, f.actor, f.kase.ID, ca.ID, ca.Version, bad)
	f.svc.Review(ctx, f.actor, f.kase, ca.ID, 0, "submit", "", "")
	var v2 *cases.ValidationError
	if err := f.svc.Review(ctx, reviewer, f.kase, ca.ID, 0, "approve", "", ""); !errors.As(err, &v2) || v2.Fields["override"] == "" {
		t.Errorf("approving a failing draft: %v", err)
	}
	if err := f.svc.Review(ctx, reviewer, f.kase, ca.ID, 0, "approve", "", "Counsel accepts the heading wording for this letter"); err != nil {
		t.Errorf("approve with override: %v", err)
	}
	p, _ := f.cases.Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "notice.approve"})
	if p.Total != 2 || !strings.Contains(string(p.Events[0].Payload), "override") {
		t.Errorf("approvals on the timeline: %d", p.Total)
	}
}
