package notify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/db/dbtest"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

type fixture struct {
	pool   *pgxpool.Pool
	svc    *notify.Service
	cases  *cases.Service
	actor  cases.Actor
	kase   cases.Case
	people *residents.Service
}

func newFixture(t testing.TB, states map[string]int) fixture {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("Id,MailingState\n")
	i := 0
	for st, n := range states {
		for k := 0; k < n; k++ {
			i++
			csv.WriteString("003" + strings.Repeat("0", 8) + itoa(100000+i) + "," + st + "\n")
		}
	}
	return newFixtureCSV(t, csv.String())
}

// newFixtureCSV opens a case whose residents are the CRM export given.
func newFixtureCSV(t testing.TB, export string) fixture {
	t.Helper()
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	u, err := auth.NewStore(pool).Create(ctx, auth.NewUser{Email: "officer@example.com", DisplayName: "Dana", Role: auth.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	actor := cases.Actor{ID: u.ID, Email: u.Email}
	no := false
	loc, _ := time.LoadLocation("America/Los_Angeles")
	cs := cases.NewService(pool)
	c, err := cs.Open(ctx, actor, cases.NewCase{Facts: cases.Facts{Title: "Leak", Severity: "high", OwnerID: u.ID,
		DiscoveredAt: time.Date(2026, 11, 2, 9, 0, 0, 0, loc), DataElements: []string{"name", "ssn"}, Encrypted: &no}, Playbook: "none"})
	if err != nil {
		t.Fatal(err)
	}
	master, _ := residents.ParseMasterKey(residents.NewMasterKeyText())
	people := residents.NewService(pool, residents.NewKeyring(pool, master), nil)
	if _, res, err := people.ImportFile(ctx, actor, c.ID, "c.csv", 1, func() (ioReadCloser, error) { return nopCloser(export), nil },
		residents.StartOptions{}, nil); err != nil || !res.Committed {
		t.Fatalf("import: %v %+v", err, res)
	}
	rules, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool: pool, svc: notify.NewService(pool, rules), cases: cs, actor: actor, kase: c, people: people}
}

func TestAcceptFileAndRecompute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]int{"CA": 501, "NV": 3})
	ctx := context.Background()
	live, _, err := f.svc.Compute(ctx, f.kase)
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := f.svc.Current(ctx, f.kase.ID); cur != nil {
		t.Fatal("a set exists before any was accepted")
	}
	if _, err := f.svc.Accept(ctx, f.actor, f.kase, "stale-fingerprint"); !errors.Is(err, notify.ErrChanged) {
		t.Errorf("accept with a stale fingerprint: %v", err)
	}
	changes, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != len(live.Obligations) {
		t.Errorf("first accept: %d changes for %d obligations", len(changes), len(live.Obligations))
	}
	set, err := f.svc.Current(ctx, f.kase.ID)
	if err != nil || set == nil || len(set.Obligations) != len(live.Obligations) {
		t.Fatalf("current set %+v %v", set, err)
	}
	// The case list's next deadline now includes the law's deadlines.
	var next time.Time
	f.pool.QueryRow(ctx, `SELECT next_due_at FROM cases WHERE id = $1`, f.kase.ID).Scan(&next)
	if want := f.kase.DiscoveredAt.Add(72 * time.Hour); !next.Equal(want) {
		t.Errorf("next due %s, want the 72-hour clock %s", next, want)
	}

	// Record the notice to California residents; the AG's deadline now
	// counts from it.
	key := "CA/individuals/"
	err = f.svc.File(ctx, f.actor, f.kase.ID, key, notify.FilingInput{Kind: "sent"})
	var v *cases.ValidationError
	if !errors.As(err, &v) || v.Fields["sent_at"] == "" || v.Fields["method"] == "" || v.Fields["what"] == "" {
		t.Errorf("empty filing: %v", err)
	}
	if err := f.svc.File(ctx, f.actor, f.kase.ID, "XX/individuals/", notify.FilingInput{Kind: "not_required", Reason: "x"}); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("filing of an unknown obligation: %v", err)
	}
	sent := f.kase.DiscoveredAt.Add(10 * 24 * time.Hour)
	if err := f.svc.File(ctx, f.actor, f.kase.ID, key, notify.FilingInput{Kind: "sent", SentAt: sent, Method: "mail",
		What: "Consumer notice v3 (approved)", Confirmation: "USPS batch 7781"}); err != nil {
		t.Fatal(err)
	}
	live2, _, _ := f.svc.Compute(ctx, f.kase)
	diff := notify.Diff(set, live2)
	if len(diff) != 1 || diff[0].Key != "CA/regulator/California Attorney General" || !strings.Contains(diff[0].Description, "deadline") {
		t.Errorf("diff after the notice was sent: %+v", diff)
	}
	if _, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live2)); err != nil {
		t.Fatal(err)
	}
	set, _ = f.svc.Current(ctx, f.kase.ID)
	for _, o := range set.Obligations {
		if o.Key == key && (!o.Filed() || o.Filings[0].Confirmation != "USPS batch 7781") {
			t.Errorf("filing does not follow its obligation: %+v", o)
		}
		if o.Key == "CA/regulator/California Attorney General" && (o.Projected || !o.Due.Equal(time.Date(2026, 11, 27, 23, 59, 0, 0, o.Due.Location()))) {
			t.Errorf("AG deadline after the notice: %v projected %v", o.Due, o.Projected)
		}
	}
	// A copy of an AG filing, as PDF; a forbidden type is refused.
	agKey := "CA/regulator/California Attorney General"
	err = f.svc.File(ctx, f.actor, f.kase.ID, agKey, notify.FilingInput{Kind: "sent", SentAt: sent, Method: "portal", What: "Sample copy",
		FileName: "x.html", File: []byte("<html><script>alert(1)</script></html>")})
	if !errors.As(err, &v) || v.Fields["file"] == "" {
		t.Errorf("HTML copy: %v", err)
	}
	pdf := []byte("%PDF-1.4 sample copy")
	if err := f.svc.File(ctx, f.actor, f.kase.ID, agKey, notify.FilingInput{Kind: "sent", SentAt: sent, Method: "portal",
		What: "Sample copy of the consumer notice", Confirmation: "CA-AG-2026-118", FileName: "sample.pdf", File: pdf}); err != nil {
		t.Fatal(err)
	}
	filings, _ := f.svc.Filings(ctx, f.kase.ID)
	ag := filings[agKey]
	if len(ag) != 1 || ag[0].FileName != "sample.pdf" || len(ag[0].SHA256) != 64 {
		t.Fatalf("AG filings %+v", ag)
	}
	name, ct, data, err := f.svc.FilingFile(ctx, f.actor, f.kase.ID, ag[0].ID)
	if err != nil || name != "sample.pdf" || ct != "application/pdf" || string(data) != string(pdf) {
		t.Errorf("download: %q %q %v", name, ct, err)
	}
	// A notice marked not required needs a reason; the log is append-only.
	err = f.svc.File(ctx, f.actor, f.kase.ID, "NV/individuals/", notify.FilingInput{Kind: "not_required"})
	if !errors.As(err, &v) || v.Fields["reason"] == "" {
		t.Errorf("not required without reason: %v", err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE obligation_filings SET confirmation = 'forged'`); err == nil {
		t.Error("the filing log was edited in place")
	}
	p, _ := f.cases.Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "obligation.filed"})
	a, _ := f.cases.Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "obligations.accepted"})
	if p.Total != 2 || a.Total != 2 {
		t.Errorf("timeline: %d filings, %d acceptances", p.Total, a.Total)
	}
}

func TestOrganisationSettingsBringFederalRegimes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]int{"NY": 20, "MA": 2})
	ctx := context.Background()
	find := func(out notify.Outcome, code string) *notify.Obligation {
		for _, o := range out.Obligations {
			if o.Jurisdiction == code {
				return &o
			}
		}
		return nil
	}
	out, _, _ := f.svc.Compute(ctx, f.kase)
	if o := find(out, "SEC"); o == nil || o.Status != notify.NeedsFacts {
		t.Fatalf("SEC before the organisation is described: %+v", o)
	}
	st, _ := f.cases.Settings(ctx)
	yes, no := true, false
	st.Org = map[string]*bool{"sec_registrant": &yes, "nydfs_covered": &no, "hipaa_covered_entity": &no, "ftc_financial_institution": &no}
	st.InternalTargetDays = 10
	if _, err := f.cases.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	material := f.kase.DiscoveredAt.Add(48 * time.Hour)
	facts := f.kase.Facts
	facts.MaterialAt = &material
	c, err := f.cases.Update(ctx, f.actor, f.kase.Reference, f.kase.Version, facts, "Disclosure committee met")
	if err != nil {
		t.Fatal(err)
	}
	out, _, _ = f.svc.Compute(ctx, c)
	sec := find(out, "SEC")
	if sec == nil || !sec.Triggered() || sec.Due == nil || len(sec.Needs) != 0 {
		t.Errorf("SEC for a registrant with a materiality date: %+v", sec)
	}
	if find(out, "NYDFS") != nil || find(out, "HIPAA") != nil {
		t.Error("regimes for other kinds of organisation are listed")
	}
	ma := find(out, "MA")
	if ma == nil || ma.InternalTarget == nil || ma.InternalTarget.Sub(f.kase.DiscoveredAt) > 11*24*time.Hour || ma.InternalTarget.Sub(f.kase.DiscoveredAt) < 10*24*time.Hour {
		t.Errorf("MA internal target does not follow the 10-day setting: %+v", ma)
	}
}

func TestConcurrentAcceptsTakeTurns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]int{"CA": 20})
	ctx := context.Background()
	live, _, err := f.svc.Compute(ctx, f.kase)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live))
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent accept: %v", err)
		}
	}
	var sets, current int
	f.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE current) FROM obligation_sets WHERE case_id = $1`, f.kase.ID).Scan(&sets, &current)
	if sets != 4 || current != 1 {
		t.Errorf("%d sets stored, %d current; want 4 and 1", sets, current)
	}
}

func TestConcurrentFilingsAllLand(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]int{"CA": 20})
	ctx := context.Background()
	live, _, err := f.svc.Compute(ctx, f.kase)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live)); err != nil {
		t.Fatal(err)
	}
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- f.svc.File(ctx, f.actor, f.kase.ID, "CA/individuals/", notify.FilingInput{Kind: "sent",
				SentAt: time.Now().Add(-time.Hour), Method: "mail", What: fmt.Sprintf("Batch %d", i)})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent filing: %v", err)
		}
	}
	var filed int
	f.pool.QueryRow(ctx, `SELECT count(*) FROM obligation_filings WHERE case_id = $1`, f.kase.ID).Scan(&filed)
	if filed != n {
		t.Errorf("%d filings stored, want %d", filed, n)
	}
}
