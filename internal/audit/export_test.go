package audit_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/audit"
	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/db/dbtest"
	"breachdesk/internal/letter/lettertest"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

type fixture struct {
	pool     *pgxpool.Pool
	cases    *cases.Service
	notices  *notify.Service
	people   *residents.Service
	exporter *audit.Exporter
	master   residents.MasterKey
	actor    cases.Actor
	kase     cases.Case
}

// newFixture opens a case with residents, accepted obligations, an
// approved notice, a filing, evidence and notes.
func newFixture(t testing.TB) fixture {
	t.Helper()
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	store := auth.NewStore(pool)
	u, err := store.Create(ctx, auth.NewUser{Email: "officer@example.com", DisplayName: "Dana", Role: auth.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := store.Create(ctx, auth.NewUser{Email: "riley@example.com", DisplayName: "Riley", Role: auth.RoleReviewer, Password: "correct horse battery"})
	actor := cases.Actor{ID: u.ID, Email: u.Email}
	no := false
	cs := cases.NewService(pool)
	c, err := cs.Open(ctx, actor, cases.NewCase{Facts: cases.Facts{Title: "Stolen OAuth token", Summary: "A connected app's token exported Contacts.",
		Severity: "high", OwnerID: u.ID, DiscoveredAt: time.Now().Add(-50 * time.Hour).Truncate(time.Minute),
		DataElements: []string{"name", "ssn"}, Encrypted: &no}, Playbook: ""})
	if err != nil {
		t.Fatal(err)
	}
	master, _ := residents.ParseMasterKey(residents.NewMasterKeyText())
	people := residents.NewService(pool, residents.NewKeyring(pool, master), nil)
	export := "Id,FirstName,LastName,MailingStreet,MailingCity,MailingState,MailingPostalCode\n" +
		"003A1,Ana,Ruiz,12 Elm St,Sacramento,CA,95814\n003A2,Bo,Chen,34 Oak Ave,Fresno,CA,93721\n003B1,Cy,Diaz,1 Beacon St,Boston,MA,02108\n"
	if _, res, err := people.ImportFile(ctx, actor, c.ID, "c.csv", int64(len(export)), func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(export)), nil
	}, residents.StartOptions{}, nil); err != nil || !res.Committed {
		t.Fatalf("import: %v %+v", err, res)
	}
	pool.Exec(ctx, `UPDATE org_settings SET org_name = 'Acme Outfitters', contact_email = 'privacy@acme.example', id_protection_offer = 'credit monitoring'`)
	rules, _ := notify.LoadRules(notify.RuleFiles)
	notices := notify.NewService(pool, rules)
	live, _, _ := notices.Compute(ctx, c)
	if _, err := notices.Accept(ctx, actor, c, notify.Fingerprint(live)); err != nil {
		t.Fatal(err)
	}
	if _, err := notices.CreateDrafts(ctx, actor, c, ""); err != nil {
		t.Fatal(err)
	}
	drafts, _ := notices.Drafts(ctx, c.ID)
	var ca notify.Draft
	for _, d := range drafts {
		if d.Jurisdiction == "CA" && d.Kind == "individuals" {
			ca = d
		}
	}
	notices.Review(ctx, actor, c, ca.ID, 0, "submit", "", "")
	if err := notices.Review(ctx, cases.Actor{ID: rev.ID, Email: rev.Email}, c, ca.ID, 0, "approve", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := notices.File(ctx, actor, c.ID, ca.ObligationKey, notify.FilingInput{Kind: "sent", SentAt: time.Now().Add(-time.Hour),
		Method: "mail", What: "Consumer notice v1", DraftID: ca.ID}); err != nil {
		t.Fatal(err)
	}
	for _, note := range []string{"Token revoked in Setup > Connected Apps.", `A note with "quotes", commas, and a
line break <b>`, "Ünïcödé — noted"} {
		if err := cs.AddNote(ctx, actor, c.Reference, note); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = cs.Get(ctx, c.Reference)
	if c, err = cs.SetStatus(ctx, actor, c.Reference, c.Version, "notifying", ""); err != nil {
		t.Fatal(err)
	}
	return fixture{pool: pool, cases: cs, notices: notices, people: people, exporter: audit.NewExporter(pool, notices, master),
		master: master, actor: actor, kase: c}
}

func (f fixture) export(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	ny, _ := time.LoadLocation("America/New_York")
	if _, err := f.exporter.Export(context.Background(), &buf, cases.Actor{Email: "auditor@example.com"}, f.kase, ny); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f fixture) verify(t testing.TB, data []byte) (audit.Verification, error) {
	t.Helper()
	known, err := f.exporter.KnownKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return audit.Verify(bytes.NewReader(data), int64(len(data)), known)
}

// files reads every file of a ZIP.
func files(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// rezip writes a ZIP of files in the order given by names (all when nil).
func rezip(t testing.TB, fs map[string][]byte, names []string) []byte {
	t.Helper()
	if names == nil {
		for n := range fs {
			names = append(names, n)
		}
		slices.Sort(names)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, n := range names {
		w, _ := z.Create(n)
		w.Write(fs[n])
	}
	z.Close()
	return buf.Bytes()
}

func TestExportVerifiesAndReadsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	data := f.export(t)
	v, err := f.verify(t, data)
	if err != nil || !v.Intact() {
		t.Fatalf("fresh export: %v %s", err, v)
	}
	seq, head, _ := f.cases.ChainHead(context.Background(), f.kase.ID)
	if v.Events != seq-1 || v.ChainHead == "" || !strings.HasPrefix(v.String(), "intact: "+f.kase.Reference) {
		t.Errorf("verification %s; timeline now has %d events, head %s", v, seq, head)
	}
	// The export is itself on the timeline, with the manifest's hash.
	p, _ := f.cases.Timeline(context.Background(), f.kase.ID, cases.TimelineFilter{Kind: "case.exported"})
	if p.Total != 1 || !strings.Contains(string(p.Events[0].Payload), v.ManifestSHA256) || p.Events[0].Actor != "auditor@example.com" {
		t.Errorf("export event: %d %+v", p.Total, p.Events)
	}
	if n, _ := f.exporter.Recorded(context.Background(), v); n != seq {
		t.Errorf("recorded as event %d, want %d", n, seq)
	}

	fs := files(t, data)
	for _, want := range []string{"timeline.csv", "timeline.json", "case-report.pdf", "manifest.json", "manifest.sig"} {
		if fs[want] == nil {
			t.Errorf("no %s in %v", want, slices.Collect(func(yield func(string) bool) {
				for k := range fs {
					yield(k)
				}
			}))
		}
	}
	var notices int
	for name, body := range fs {
		if strings.HasPrefix(name, "notices/") {
			notices++
			pdf, err := lettertest.ReadPDF(body)
			if err != nil || !strings.Contains(pdf.Text(), "Notice of Data Breach") {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if notices != 1 {
		t.Errorf("%d approved notices exported, want 1", notices)
	}

	// timeline.csv round-trips, and an outside tool recomputes every hash
	// from the documented formula alone.
	rows, err := csv.NewReader(bytes.NewReader(fs["timeline.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], audit.TimelineColumns) || len(rows) != v.Events+1 {
		t.Fatalf("header %q, %d rows", rows[0], len(rows))
	}
	prev := make([]byte, 32)
	var sawNote, sawLocal, sawBefore bool
	for _, r := range rows[1:] {
		content, _ := json.Marshal(map[string]any{"actor": r[4], "at": r[2], "case": json.Number(r[0]), "kind": r[5],
			"payload": json.RawMessage(r[8]), "seq": json.Number(r[1])})
		h := sha256.New()
		h.Write(prev)
		h.Write(content)
		if got := hex.EncodeToString(h.Sum(nil)); got != r[10] || r[9] != hex.EncodeToString(prev) {
			t.Fatalf("event %s: recomputed %s, exported %s", r[1], got, r[10])
		}
		prev = h.Sum(nil)
		sawNote = sawNote || strings.Contains(r[8], "line break")
		sawLocal = sawLocal || strings.Contains(r[3], "America/New_York")
		sawBefore = sawBefore || r[6] != "" && r[7] != ""
	}
	if !sawNote || !sawLocal || !sawBefore {
		t.Errorf("note %v, local time %v, before/after %v", sawNote, sawLocal, sawBefore)
	}

	text, err := lettertest.PDFText(fs["case-report.pdf"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Case record " + f.kase.Reference, "Case facts", "A connected app's token exported Contacts.",
		"72-hour notification clock", "met,", "Obligations", "Cal. Civ. Code", "notice version 1, SHA-256", "Residents by jurisdiction",
		"CA California", "Notices", "approved version 1", "riley@example.com", "Timeline", "notice.approve", "Ünïcödé — noted", v.ChainHead[:16]} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Ruiz") || strings.Contains(text, "Elm St") {
		t.Error("the report shows residents' personal data")
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	data := f.export(t)
	fs := files(t, data)
	csvRows := strings.SplitAfter(string(fs["timeline.csv"]), "\n")
	// Events 1-3 are the first lines after the header; notes contain no
	// line breaks until the last events.
	withCSV := func(lines []string) []byte {
		g := maps(fs)
		g["timeline.csv"] = []byte(strings.Join(lines, ""))
		return rezip(t, g, nil)
	}
	edited := slices.Clone(csvRows)
	edited[2] = strings.Replace(edited[2], "officer@example.com", "mallory@example.com", 1)
	removed := slices.Delete(slices.Clone(csvRows), 2, 3)
	reordered := slices.Clone(csvRows)
	reordered[2], reordered[3] = reordered[3], reordered[2]

	pdf := maps(fs)
	pdf["case-report.pdf"] = bytes.Replace(pdf["case-report.pdf"], []byte("/Title"), []byte("/Titel"), 1)
	manifest := maps(fs)
	manifest["manifest.json"] = bytes.Replace(manifest["manifest.json"], []byte("auditor@example.com"), []byte("someone@example.com"), 1)
	missing := maps(fs)
	for n := range missing {
		if strings.HasPrefix(n, "notices/") {
			delete(missing, n)
		}
	}
	added := maps(fs)
	added["extra.txt"] = []byte("not part of it")
	inflated := maps(fs)
	inflated["timeline.csv"] = append(bytes.Clone(fs["timeline.csv"]), bytes.Repeat([]byte("\n"), 20<<20)...)
	jsonEdit := maps(fs)
	jsonEdit["timeline.json"] = bytes.Replace(jsonEdit["timeline.json"], []byte("Token revoked"), []byte("Token kept"), 1)

	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"an edited event", withCSV(edited), "timeline.csv: event 2 ("},
		{"a removed event", withCSV(removed), "timeline.csv: event 3 stands where event 2 should"},
		{"reordered events", withCSV(reordered), "timeline.csv: event 3 stands where event 2 should"},
		{"the last event removed", withCSV(append(slices.Clone(csvRows[:len(csvRows)-2]), csvRows[len(csvRows)-1])), "events were removed or added at the end"},
		{"an edited event in timeline.json", rezip(t, jsonEdit, nil), "timeline.json: event"},
		{"an edited PDF", rezip(t, pdf, nil), "case-report.pdf was altered"},
		{"a changed manifest", rezip(t, manifest, nil), "manifest.json was changed after it was signed"},
		{"a manifest naming a missing file", rezip(t, missing, nil), "which is not in the export"},
		{"an added file", rezip(t, added, nil), "extra.txt was added"},
		{"a file inflated past its size", rezip(t, inflated, nil), "timeline.csv was altered"},
	} {
		v, err := f.verify(t, c.data)
		if err != nil || v.Intact() || !strings.Contains(v.Problem, c.want) {
			t.Errorf("%s: %v %q, want %q", c.name, err, v.Problem, c.want)
		}
	}

	// Signed by another Breachdesk.
	other, _ := residents.ParseMasterKey(residents.NewMasterKeyText())
	pub := other.SigningKey().Public().(ed25519.PublicKey)
	v, err := audit.Verify(bytes.NewReader(data), int64(len(data)), map[string]ed25519.PublicKey{residents.SigningKeyID(pub): pub})
	if err != nil || v.Intact() || !strings.Contains(v.Problem, "not one of this Breachdesk's export keys") {
		t.Errorf("unknown signer: %v %q", err, v.Problem)
	}

	// Files that are not exports.
	var fe *audit.FormatError
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"a truncated file", data[:len(data)/2], "not a readable ZIP"},
		{"not a ZIP", []byte("Id,Name\n1,Ann\n"), "not a readable ZIP"},
		{"a ZIP that is not an export", rezip(t, map[string][]byte{"contacts.csv": []byte("Id\n1\n")}, nil), "it has no manifest.json"},
		{"an empty file", nil, "not a readable ZIP"},
	} {
		if _, err := f.verify(t, c.data); !errors.As(err, &fe) || !strings.Contains(fe.Problem, c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func maps(fs map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range fs {
		out[k] = v
	}
	return out
}

// TestLongTimelineReport: the report of a long timeline shows its first
// and latest events and says where the others are; the export still
// carries and verifies every event.
func TestLongTimelineReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	appendEvents(t, f, 10_100)
	data := f.export(t)
	v, err := f.verify(t, data)
	if err != nil || !v.Intact() || v.Events < 10_100 {
		t.Fatalf("verify: %v %s", err, v)
	}
	text, err := lettertest.PDFText(files(t, data)["case-report.pdf"])
	if err != nil {
		t.Fatal(err)
	}
	skipTo := v.Events - 8_000
	for _, want := range []string{fmt.Sprintf("of %d events", v.Events), fmt.Sprintf("events 2001 to %d are in timeline.csv", skipTo),
		fmt.Sprintf("\n%d", v.Events), fmt.Sprintf("\n%d", skipTo+1)} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
