package notify_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
	"breachdesk/internal/letter/lettertest"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

var update = flag.Bool("update", false, "rewrite the golden files of generated drafts")

// addressed is an export with names and postal addresses in five states:
// California and Massachusetts have letter variants, Texas and New York
// the general letter with their own rules, Wyoming is a generic state.
// Line 4 repeats line 2's person (same CRM Id): one letter, not two.
const addressed = `Id,FirstName,LastName,MailingStreet,MailingCity,MailingState,MailingPostalCode
0030000000000A1,Ana,Ruiz,12 Elm St,Sacramento,CA,95814
0030000000000A2,=Bo,Chen,"34 Oak Ave, Apt 5",Fresno,Calif.,93721
0030000000000A3,Cy,Diaz,56 Pine Rd,San Diego,CA,92101
0030000000000A2,Bo,Chen,34 Oak Ave,Fresno,CA,93721
0030000000000B1,Dee,Evans,1 Beacon St,Boston,MA,02108
0030000000000B2,Eli,Ford,2 Main St,Worcester,Mass.,01608
0030000000000C1,Fay,Gold,3 Congress Ave,Austin,TX,78701
0030000000000D1,Gus,Hale,4 Broadway,New York,NY,10001
0030000000000E1,Ida,Ives,5 Capitol Ave,Cheyenne,WY,82001
`

// draftsFixture opens the case, fills the organisation's profile, pins
// the notice date, accepts the obligations and makes the drafts.
func draftsFixture(t *testing.T) (fixture, map[string]notify.Draft) {
	t.Helper()
	f := newFixtureCSV(t, addressed)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `UPDATE org_settings SET org_name = 'Acme Outfitters', org_address = '1 Market St, San Francisco, CA 94105',
		contact_email = 'privacy@acme.example', contact_phone = '1-800-555-0199',
		id_protection_offer = 'credit monitoring and identity restoration', id_protection_months = 12`); err != nil {
		t.Fatal(err)
	}
	f.svc.SetClock(func() time.Time { return time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC) })
	live, _, _ := f.svc.Compute(ctx, f.kase)
	if _, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateDrafts(ctx, f.actor, f.kase, ""); err != nil {
		t.Fatal(err)
	}
	list, _ := f.svc.Drafts(ctx, f.kase.ID)
	out := map[string]notify.Draft{}
	for _, d := range list {
		full, err := f.svc.Draft(ctx, f.kase.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[d.Jurisdiction+"-"+d.Kind] = full
	}
	return f, out
}

func TestGoldenDrafts(t *testing.T) {
	t.Parallel()
	f, drafts := draftsFixture(t)
	for _, name := range []string{"CA-individuals", "MA-individuals", "TX-individuals", "NY-individuals", "WY-individuals", "MA-regulator", "MA-cras", "NY-regulator"} {
		d, ok := drafts[name]
		if !ok {
			t.Errorf("no %s draft; drafts: %v", name, slices.Sorted(func(yield func(string) bool) {
				for k := range drafts {
					if !yield(k) {
						return
					}
				}
			}))
			continue
		}
		// The case reference carries the year it was opened.
		got := strings.ReplaceAll(d.CurrentVersion().Body, f.kase.Reference, "BR-REF")
		path := filepath.Join("testdata", "golden", name+".md")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/notify -run Golden -update to write it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s:\n%s", name, path, got)
		}
		if failed := notify.Failed(f.svc.Check(f.kase, d, d.CurrentVersion().Body, 3)); len(failed) > 0 && d.Jurisdiction != "MA" {
			t.Errorf("%s: the template's own draft fails %v", name, failed)
		}
	}
}

// TestContentRules runs each rule on a draft that meets it and one that
// does not.
func TestContentRules(t *testing.T) {
	t.Parallel()
	f, drafts := draftsFixture(t)
	ca, ma, tx := drafts["CA-individuals"], drafts["MA-individuals"], drafts["TX-individuals"]
	caBody, maBody, txBody := ca.CurrentVersion().Body, ma.CurrentVersion().Body, tx.CurrentVersion().Body
	cases := []struct {
		rule  string
		draft notify.Draft
		good  string
		bad   string
	}{
		{`Title "Notice of Data Breach"`, ca, caBody, strings.Replace(caBody, "# Notice of Data Breach", "# Important notice", 1)},
		{"The five required headings, in order", ca, caBody, strings.Replace(caBody, "## What We Are Doing", "## Our response", 1)},
		{"Printed in at least 10-point type", ca, caBody, ""},
		{"Consumer reporting agencies' toll-free numbers (SSN or ID number exposed)", tx, txBody, strings.Replace(txBody, "1-888-909-8872", "", 1)},
		{"Identity-protection offer of at least 12 months", ca, caBody, strings.Replace(caBody, "12 months", "6 months", 1)},
		{"Contact details for questions", tx, txBody, strings.NewReplacer("privacy@acme.example", "us", "call", "reach", "Call", "Reach").Replace(txBody)},
		{"Does not state the nature of the breach", ma, maBody, maBody + "\n## What Happened\n\nA token was stolen.\n"},
		{"Does not state how many residents were affected", ma, maBody, maBody + "\nThis affected 2 residents.\n"},
		{"Mentions the right to a police report and a free security freeze", ma, maBody, strings.ReplaceAll(maBody, "police report", "report")},
		{"Identity-protection offer of at least 18 months", ma, maBody, strings.ReplaceAll(maBody, "18 months", "12 months")},
	}
	for _, c := range cases {
		result := func(body string) *notify.CheckResult {
			for _, r := range f.svc.Check(f.kase, c.draft, body, 2) {
				if r.Rule == c.rule {
					return &r
				}
			}
			return nil
		}
		good := result(c.good)
		if good == nil || !good.Pass {
			t.Errorf("%s: the good draft does not pass (%+v)", c.rule, good)
			continue
		}
		if c.bad == "" {
			continue // a property of the PDF layout, not of the text
		}
		if bad := result(c.bad); bad == nil || bad.Pass {
			t.Errorf("%s: the bad draft passes (%+v)", c.rule, bad)
		}
	}
}

// approve takes a draft through review to approval by another user.
func approve(t *testing.T, f fixture, d notify.Draft) {
	t.Helper()
	ctx := context.Background()
	rev, err := auth.NewStore(f.pool).Create(ctx, auth.NewUser{Email: fmt.Sprintf("rev%d@example.com", d.ID), DisplayName: "Riley",
		Role: auth.RoleReviewer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Review(ctx, f.actor, f.kase, d.ID, 0, "submit", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Review(ctx, cases.Actor{ID: rev.ID, Email: rev.Email}, f.kase, d.ID, 0, "approve", "", "reviewed for the test"); err != nil {
		t.Fatal(err)
	}
}

func TestLettersAndMailMerge(t *testing.T) {
	t.Parallel()
	f, drafts := draftsFixture(t)
	ctx := context.Background()
	ca := drafts["CA-individuals"]
	approve(t, f, ca)
	d, v, _, err := f.svc.ApprovedBody(ctx, f.kase.ID, ca.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The PDF of the approved version.
	l, err := f.svc.LetterFor(ctx, f.kase, d, v)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := letter.WritePDF(&buf, l, v.CreatedAt); err != nil {
		t.Fatal(err)
	}
	pdf, err := lettertest.ReadPDF(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	text := pdf.Text()
	for _, want := range []string{"Acme Outfitters", "1 Market St, San Francisco", "Notice of Data Breach", "What Information Was Involved",
		"1-888-397-3742", f.kase.Reference, v.SHA256[:16], "Page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	if pdf.MinSize < 10 {
		t.Errorf("type of %.1f pt", pdf.MinSize)
	}

	// Who it goes to: California's counted residents, the duplicate once.
	aud, err := f.svc.Audience(d)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.people.CountAudience(ctx, f.kase.ID, aud); n != 3 {
		t.Errorf("California audience %d, want 3", n)
	}
	if _, err := f.svc.Audience(drafts["NY-regulator"]); !errors.Is(err, notify.ErrNotConsumerNotice) {
		t.Errorf("audience of a regulator notice: %v", err)
	}
	each := func(offset, limit int64) notify.EachAddressee {
		return func(fn func(residents.Addressee) error) error {
			return f.people.EachAddressee(ctx, f.kase.ID, aud, offset, limit, fn)
		}
	}

	// No reason, no export; with one, it is on the timeline first.
	var ve *cases.ValidationError
	if err := f.svc.RecordMailMerge(ctx, f.actor, f.kase.ID, d, v, notify.MailMerge{Format: "csv", Rows: 3}); !errors.As(err, &ve) || ve.Fields["reason"] == "" {
		t.Errorf("mail-merge without a reason: %v", err)
	}
	if err := f.svc.RecordMailMerge(ctx, f.actor, f.kase.ID, d, v, notify.MailMerge{Format: "zip", Batch: 2, Rows: 0, Reason: "x"}); !errors.As(err, &ve) || ve.Fields["batch"] == "" {
		t.Errorf("batch past the end: %v", err)
	}
	if err := f.svc.RecordMailMerge(ctx, f.actor, f.kase.ID, d, v, notify.MailMerge{Format: "csv", Rows: 3, Reason: "Print vendor run of 20 Nov"}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.cases.Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "notice.mail_merge"})
	if p.Total != 1 || !strings.Contains(string(p.Events[0].Payload), "Print vendor run") || !strings.Contains(string(p.Events[0].Payload), `"letters": 3`) {
		t.Errorf("mail-merge on the timeline: %d %+v", p.Total, p.Events)
	}

	buf.Reset()
	if err := notify.WriteMailMergeCSV(&buf, d.Title, v, each(0, 0)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !slices.Equal(rows[0], notify.MailMergeHeader) {
		t.Fatalf("CSV rows: %q", rows)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[3]] = r
		if r[0] != d.Title || r[1] != v.SHA256 || r[6] != "CA" {
			t.Errorf("row %q", r)
		}
	}
	if r := byName["Ana Ruiz"]; r == nil || r[4] != "12 Elm St" || r[5] != "Sacramento" || r[7] != "95814" {
		t.Errorf("Ana's row: %q", r)
	}
	if r := byName["'=Bo Chen"]; r == nil || r[4] != "34 Oak Ave, Apt 5" {
		t.Errorf("a name that looks like a formula is defused, the first record of a duplicate kept: %q", byName)
	}

	// A ZIP of PDF letters, one per addressee, each addressed.
	buf.Reset()
	if err := notify.WriteLetterZIP(&buf, l, v.CreatedAt, each(1, 10)); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(z.File) != 2 {
		t.Fatalf("batch from the second letter: %d files", len(z.File))
	}
	var names []string
	for _, zf := range z.File {
		rc, _ := zf.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		got, err := lettertest.ReadPDF(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"Bo Chen", "Cy Diaz"} {
			if strings.Contains(got.Pages[0], n) {
				names = append(names, n)
			}
		}
		if !strings.Contains(got.Text(), "Notice of Data Breach") {
			t.Errorf("%s is not the notice", zf.Name)
		}
	}
	if slices.Sort(names); !slices.Equal(names, []string{"Bo Chen", "Cy Diaz"}) {
		t.Errorf("letters addressed to %v", names)
	}
}

func TestFilingLinksOnlyApprovedNotices(t *testing.T) {
	t.Parallel()
	f, drafts := draftsFixture(t)
	ctx := context.Background()
	tx := drafts["NY-regulator"]
	in := notify.FilingInput{Kind: "sent", SentAt: time.Now().Add(-time.Hour), Method: "portal", What: "AG portal form", DraftID: tx.ID}
	var ve *cases.ValidationError
	if err := f.svc.File(ctx, f.actor, f.kase.ID, tx.ObligationKey, in); !errors.As(err, &ve) || !strings.Contains(ve.Fields["draft"], "not approved") {
		t.Fatalf("linking a draft in review: %v", err)
	}
	if err := f.svc.File(ctx, f.actor, f.kase.ID, drafts["MA-regulator"].ObligationKey, in); !errors.As(err, &ve) || ve.Fields["draft"] == "" {
		t.Errorf("linking another obligation's draft: %v", err)
	}
	filings, _ := f.svc.Filings(ctx, f.kase.ID)
	if len(filings) != 0 {
		t.Fatalf("a refused filing was stored: %v", filings)
	}
	approve(t, f, tx)
	if err := f.svc.File(ctx, f.actor, f.kase.ID, tx.ObligationKey, in); err != nil {
		t.Fatal(err)
	}
	filings, _ = f.svc.Filings(ctx, f.kase.ID)
	got := filings[tx.ObligationKey]
	if len(got) != 1 || got[0].DraftID == nil || *got[0].DraftID != tx.ID || *got[0].DraftVersion != 1 || got[0].DraftSHA256 != tx.CurrentVersion().SHA256 {
		t.Errorf("filing: %+v", got)
	}
	p, _ := f.cases.Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "obligation.filed"})
	if p.Total != 1 || !strings.Contains(string(p.Events[0].Payload), tx.CurrentVersion().SHA256) {
		t.Errorf("filing on the timeline: %+v", p.Events)
	}
}

func TestDraftOneObligation(t *testing.T) {
	t.Parallel()
	f := newFixtureCSV(t, addressed)
	ctx := context.Background()
	f.pool.Exec(ctx, `UPDATE org_settings SET org_name = 'Acme', contact_email = 'privacy@acme.example'`)
	live, _, _ := f.svc.Compute(ctx, f.kase)
	if _, err := f.svc.Accept(ctx, f.actor, f.kase, notify.Fingerprint(live)); err != nil {
		t.Fatal(err)
	}
	set, _ := f.svc.Current(ctx, f.kase.ID)
	var key string
	for _, o := range set.Obligations {
		if o.Jurisdiction == "NY" && o.Recipient == "individuals" {
			key = o.Key
		}
	}
	if _, err := f.svc.CreateDrafts(ctx, f.actor, f.kase, "XX/individuals/nobody"); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("an unknown obligation: %v", err)
	}
	if n, err := f.svc.CreateDrafts(ctx, f.actor, f.kase, key); n != 1 || err != nil {
		t.Fatalf("one obligation: %d %v", n, err)
	}
	list, _ := f.svc.Drafts(ctx, f.kase.ID)
	if len(list) != 1 || list[0].ObligationKey != key {
		t.Errorf("drafts: %+v", list)
	}
	if n, _ := f.svc.CreateDrafts(ctx, f.actor, f.kase, ""); n < 5 {
		t.Errorf("the rest: %d", n)
	}
}

func TestDefaultTemplatesUpgradeUnlessEdited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]int{"CA": 1})
	ctx := context.Background()
	if err := f.svc.EnsureTemplates(ctx); err != nil {
		t.Fatal(err)
	}
	// An older release's default, and a template someone edited.
	f.pool.Exec(ctx, `INSERT INTO letter_templates (name, kind, jurisdiction, version, body, author)
		SELECT name, kind, jurisdiction, 2, 'old default', 'Breachdesk' FROM letter_templates WHERE name = 'Regulator notice'`)
	f.pool.Exec(ctx, `INSERT INTO letter_templates (name, kind, jurisdiction, version, body, author)
		SELECT name, kind, jurisdiction, 2, 'edited by counsel', 'counsel@example.com' FROM letter_templates WHERE name = 'Consumer notice'`)
	if err := f.svc.EnsureTemplates(ctx); err != nil {
		t.Fatal(err)
	}
	f.svc.EnsureTemplates(ctx) // again: nothing more
	latest := map[string]notify.Template{}
	list, _ := f.svc.Templates(ctx)
	for _, tpl := range list {
		latest[tpl.Name] = tpl
	}
	if r := latest["Regulator notice"]; r.Version != 3 || r.Author != "Breachdesk" || r.Body == "old default" {
		t.Errorf("the old default was not upgraded: v%d by %s", r.Version, r.Author)
	}
	if c := latest["Consumer notice"]; c.Version != 2 || c.Body != "edited by counsel" {
		t.Errorf("an edited template was replaced: v%d %q", c.Version, c.Body)
	}
	if ca := latest["Consumer notice (California)"]; ca.Version != 1 {
		t.Errorf("an unchanged default got a new version: v%d", ca.Version)
	}
}

// TestStatuteItemChecks runs the checks read from the statutes' required
// items on the general letter, as each state's draft, and on the letter
// without the item.
func TestStatuteItemChecks(t *testing.T) {
	t.Parallel()
	f, drafts := draftsFixture(t)
	body := strings.ReplaceAll(drafts["TX-individuals"].CurrentVersion().Body, "Texas", "the state's")
	withAG := func(state string) string {
		ag := map[string]string{"NC": "North Carolina Attorney General's Office, Consumer Protection Division: 1-877-566-7226, 9001 Mail Service Center, Raleigh, NC 27699-9001, www.ncdoj.gov",
			"MD": "Maryland Office of the Attorney General, Identity Theft Unit: 1-888-743-0023, 200 St. Paul Place, Baltimore, MD 21202, www.marylandattorneygeneral.gov"}[state]
		return strings.Replace(body, "## For more information", "You can also contact the "+ag+".\n\n## For more information", 1)
	}
	cut := func(s, what string) string {
		if !strings.Contains(s, what) {
			t.Fatalf("the letter has no %q to cut", what)
		}
		return strings.ReplaceAll(s, what, "")
	}
	cases := []struct {
		state, rule, good, bad string
	}{
		{"NC", "The FTC's toll-free number, address and website", withAG("NC"), cut(withAG("NC"), "1-877-438-4338")},
		{"NC", "The state attorney general's contact details", withAG("NC"), body},
		{"NC", "The consumer reporting agencies' addresses", withAG("NC"), cut(withAG("NC"), "P.O. Box 9554, Allen, TX 75013")},
		{"NC", "A telephone number to call the organisation", withAG("NC"), cut(withAG("NC"), " or call 1-800-555-0199")},
		{"NC", "Advice to review account statements and credit reports", withAG("NC"), cut(withAG("NC"), "account statements")},
		{"MD", "The state attorney general's contact details", withAG("MD"), withAG("NC")},
		{"CO", "The consumer reporting agencies' websites", body, cut(body, "www.experian.com")},
		{"NM", "The rights under the federal Fair Credit Reporting Act", body, cut(body, "Fair Credit Reporting Act")},
		{"RI", "The right to a police report", body, cut(body, "police report")},
		{"NH", "The kinds of information involved", body, cut(body, "Social Security number")},
	}
	for _, c := range cases {
		d := notify.Draft{Kind: "individuals", Jurisdiction: c.state}
		result := func(text string) *notify.CheckResult {
			for _, r := range f.svc.Check(f.kase, d, text, 3) {
				if r.Rule == c.rule {
					return &r
				}
			}
			return nil
		}
		if r := result(c.good); r == nil || !r.Pass {
			t.Errorf("%s %s: the good letter does not pass: %+v", c.state, c.rule, r)
			continue
		}
		if r := result(c.bad); r == nil || r.Pass || !strings.HasPrefix(r.Detail, "statute: ") {
			t.Errorf("%s %s: the bad letter passes: %+v", c.state, c.rule, r)
		}
	}
	// An item that applies only when SSNs were exposed is not checked otherwise.
	noSSN := f.kase
	noSSN.DataElements = []string{"name", "email"}
	for _, r := range f.svc.Check(noSSN, notify.Draft{Kind: "individuals", Jurisdiction: "WA"}, cut(body, "P.O. Box 2000, Chester, PA 19016"), 3) {
		if r.Rule == "The consumer reporting agencies' addresses" {
			t.Errorf("WA's SSN-only item checked without SSNs: %+v", r)
		}
	}
}
