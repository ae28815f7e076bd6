package residents_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/db/dbtest"
	"breachdesk/internal/residents"
)

type fixture struct {
	pool  *pgxpool.Pool
	svc   *residents.Service
	actor cases.Actor
	kase  cases.Case
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	u, err := auth.NewStore(pool).Create(ctx, auth.NewUser{Email: "officer@example.com", DisplayName: "Dana", Role: auth.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	actor := cases.Actor{ID: u.ID, Email: u.Email}
	c, err := cases.NewService(pool).Open(ctx, actor, cases.NewCase{Facts: cases.Facts{Title: "Leak", Severity: "high", OwnerID: u.ID,
		DiscoveredAt: time.Now().Add(-time.Hour), DataElements: []string{"name", "email"}}, Playbook: "none"})
	if err != nil {
		t.Fatal(err)
	}
	master, err := residents.ParseMasterKey(residents.NewMasterKeyText())
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool: pool, svc: residents.NewService(pool, residents.NewKeyring(pool, master), nil), actor: actor, kase: c}
}

// importCSV uploads data, starts it with the detected mapping and runs it.
func (f fixture) importCSV(t testing.TB, name string, data []byte, accept bool) (residents.Import, residents.Result, error) {
	t.Helper()
	ctx := context.Background()
	imp, err := f.svc.Upload(ctx, f.actor, f.kase.ID, name, bytes.NewReader(data))
	if err != nil {
		return imp, residents.Result{}, err
	}
	p, err := f.svc.Preview(ctx, f.kase.ID, imp.ID, residents.EncodingAuto, 20)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, imp.ID, residents.StartOptions{Mapping: p.Detected}); err != nil {
		return imp, residents.Result{}, err
	}
	res, err := f.svc.Execute(ctx, imp.ID, nil, nil)
	if err == nil && !res.Committed && accept {
		if err := f.svc.Accept(ctx, f.actor, f.kase.ID, imp.ID); err != nil {
			t.Fatal(err)
		}
		res, err = f.svc.Execute(ctx, imp.ID, nil, nil)
	}
	imp, _ = f.svc.Import(ctx, f.kase.ID, imp.ID)
	return imp, res, err
}

func TestImportMessyExportMatchesTruth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var buf bytes.Buffer
	truth, err := residents.GenerateCRM(&buf, residents.GenOptions{Rows: 5000, Messy: true, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	imp, res, err := f.importCSV(t, "contacts.csv", buf.Bytes(), false)
	if err != nil {
		t.Fatal(err)
	}
	// The file has bad rows, so it stopped for review with nothing stored.
	if res.Committed || imp.Status != "review" || res.Bad != truth.BadRows || truth.BadRows == 0 {
		t.Fatalf("first run: committed %v status %s bad %d (truth %d)", res.Committed, imp.Status, res.Bad, truth.BadRows)
	}
	if c, _ := f.svc.Counts(context.Background(), f.kase.ID); c.Total != 0 {
		t.Fatalf("%d residents counted before review", c.Total)
	}
	var report []residents.LineError
	f.svc.ErrorReport(context.Background(), f.kase.ID, imp.ID, func(e residents.LineError) error { report = append(report, e); return nil })
	if int64(len(report)) != truth.BadRows || !strings.Contains(report[0].Reason, "cannot be identified") || report[0].Line < 2 {
		t.Errorf("error report %+v", report)
	}
	// Accepted: the usable rows go in.
	if err := f.svc.Accept(context.Background(), f.actor, f.kase.ID, imp.ID); err != nil {
		t.Fatal(err)
	}
	res, err = f.svc.Execute(context.Background(), imp.ID, nil, nil)
	if err != nil || !res.Committed {
		t.Fatalf("accepted run: %v %+v", err, res)
	}
	c, err := f.svc.Counts(context.Background(), f.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != truth.Persons || c.Unknown != truth.Unknown || c.Conflicts != truth.Conflicts {
		t.Errorf("total %d unknown %d conflicts %d; truth %d %d %d", c.Total, c.Unknown, c.Conflicts, truth.Persons, truth.Unknown, truth.Conflicts)
	}
	var dups int64
	for _, n := range c.DuplicatesMerged {
		dups += n
	}
	if dups != truth.Duplicates {
		t.Errorf("duplicates merged %v, truth %d", c.DuplicatesMerged, truth.Duplicates)
	}
	for _, s := range c.States {
		if s.Count != truth.States[s.Code] {
			t.Errorf("%s: %d, truth %d", s.Code, s.Count, truth.States[s.Code])
		}
	}
	if len(c.States) != len(truth.States) {
		t.Errorf("%d states counted, truth %d", len(c.States), len(truth.States))
	}
	for _, k := range c.Countries {
		if k.Count != truth.Countries[k.Country] {
			t.Errorf("%s: %d, truth %d", k.Country, k.Count, truth.Countries[k.Country])
		}
	}
	// A second import of the same file adds nobody: every row is a duplicate.
	_, res2, err := f.importCSV(t, "contacts-again.csv", buf.Bytes(), true)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := f.svc.Counts(context.Background(), f.kase.ID)
	if c2.Total != c.Total || res2.Duplicates != res2.Imported {
		t.Errorf("re-import: total %d (was %d), %d of %d imported rows duplicates", c2.Total, c.Total, res2.Duplicates, res2.Imported)
	}
	assertSummaryFresh(t, f)
}

func TestImportStoresNoClearPersonalData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	csv := "Id,FirstName,LastName,Email,Phone,MailingStreet,MailingCity,MailingState,MailingPostalCode\n" +
		"0035e00000AbCdEAAQ,Zebulon,Quartermaine,zebulon.q@example.net,555-0199,77 Sunset Strip,Malibu,CA,90265\n"
	if _, res, err := f.importCSV(t, "c.csv", []byte(csv), false); err != nil || !res.Committed {
		t.Fatalf("import: %v %+v", err, res)
	}
	var n int
	// Search every text and bytea column of the residents table.
	err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM residents r
		WHERE position('Zebulon' in r::text) > 0 OR position('zebulon' in r::text) > 0 OR position('Quartermaine' in r::text) > 0
		   OR position('Sunset' in r::text) > 0 OR position('0035e00000AbCdE' in r::text) > 0`).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("clear personal data in residents rows: %d %v", n, err)
	}
	var juris, zip3 string
	f.pool.QueryRow(context.Background(), `SELECT jurisdiction, zip3 FROM residents`).Scan(&juris, &zip3)
	if juris != "CA" || zip3 != "902" {
		t.Errorf("clear aggregation fields: %q %q", juris, zip3)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for name, tc := range map[string]struct {
		data string
		want string
	}{
		"empty":      {"", "empty"},
		"xlsx":       {"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x00\x00", "binary"},
		"no address": {"FirstName,LastName\nAna,Lopez\n", "no column holds a state"},
		"no name":    {"MailingState\nCA\n", "identifies a person"},
	} {
		_, _, err := f.importCSV(t, name+".csv", []byte(tc.data), false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
	// Bytes that are not UTF-8, with UTF-8 chosen: failed, line named, nothing stored.
	ctx := context.Background()
	data := "FirstName,MailingState\nAna,CA\n" + strings.Repeat("Bo,NY\n", 3) + "Jos\xe9,TX\n"
	imp, err := f.svc.Upload(ctx, f.actor, f.kase.ID, "latin1.csv", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, imp.ID, residents.StartOptions{Encoding: residents.EncodingUTF8,
		Mapping: residents.Mapping{residents.FieldFirstName: "FirstName", "Mailing.state": "MailingState"}}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Execute(ctx, imp.ID, nil, nil)
	imp, _ = f.svc.Import(ctx, f.kase.ID, imp.ID)
	if err == nil || imp.Status != "failed" || !strings.Contains(imp.Error, "line 6") || !strings.Contains(imp.Error, "Windows-1252") {
		t.Errorf("invalid UTF-8: %v, status %s, %q", err, imp.Status, imp.Error)
	}
	var n int
	f.pool.QueryRow(ctx, `SELECT count(*) FROM residents`).Scan(&n)
	if n != 0 {
		t.Errorf("%d residents stored by a failed import", n)
	}
	// Started again as Windows-1252, it goes in.
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, imp.ID, residents.StartOptions{Encoding: residents.EncodingWin1252,
		Mapping: residents.Mapping{residents.FieldFirstName: "FirstName", "Mailing.state": "MailingState"}}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.svc.Execute(ctx, imp.ID, nil, nil); err != nil || res.Imported != 5 {
		t.Errorf("as Windows-1252: %v %+v", err, res)
	}
}

func TestOneImportAtATimeCancelAndRemove(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var buf bytes.Buffer
	residents.GenerateCRM(&buf, residents.GenOptions{Rows: 300, Seed: 1})
	first, _ := f.svc.Upload(ctx, f.actor, f.kase.ID, "a.csv", bytes.NewReader(buf.Bytes()))
	second, _ := f.svc.Upload(ctx, f.actor, f.kase.ID, "b.csv", bytes.NewReader(buf.Bytes()))
	m := residents.DetectMapping(strings.Split(strings.SplitN(buf.String(), "\n", 2)[0], ","))
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, first.ID, residents.StartOptions{Mapping: m}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, second.ID, residents.StartOptions{Mapping: m}); !errors.Is(err, residents.ErrBusy) {
		t.Errorf("second import while one is queued: %v", err)
	}
	if err := f.svc.Cancel(ctx, f.actor, f.kase.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Execute(ctx, first.ID, nil, nil); !errors.Is(err, residents.ErrState) {
		t.Errorf("running a cancelled import: %v", err)
	}
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, second.ID, residents.StartOptions{Mapping: m}); err != nil {
		t.Fatal(err)
	}
	// Cancelled while running (at its first progress report): rolled back.
	var asked bool
	res, err := f.svc.Execute(ctx, second.ID, nil, func(residents.Progress) {
		if !asked {
			asked = true
			f.svc.Cancel(ctx, f.actor, f.kase.ID, second.ID)
		}
	})
	imp, _ := f.svc.Import(ctx, f.kase.ID, second.ID)
	if !asked || !errors.Is(err, residents.ErrCancelled) || imp.Status != "cancelled" || res.Committed {
		t.Errorf("cancel while running: asked %v, %v, status %s", asked, err, imp.Status)
	}
	// A completed import can be removed as a whole, with a reason.
	done, _, err := f.importCSV(t, "c.csv", buf.Bytes(), false)
	if err != nil || done.Status != "completed" {
		t.Fatalf("import: %v %s", err, done.Status)
	}
	if c, _ := f.svc.Counts(ctx, f.kase.ID); c.Total != 300 {
		t.Fatalf("total %d", c.Total)
	}
	err = f.svc.Remove(ctx, f.actor, f.kase.ID, done.ID, "")
	var v *cases.ValidationError
	if !errors.As(err, &v) {
		t.Errorf("remove without reason: %v", err)
	}
	if err := f.svc.Remove(ctx, f.actor, f.kase.ID, done.ID, "Wrong report exported"); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.svc.Counts(ctx, f.kase.ID); c.Total != 0 {
		t.Errorf("total after removal %d", c.Total)
	}
	page, _ := cases.NewService(f.pool).Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "residents.import_removed"})
	if page.Total != 1 {
		t.Errorf("%d removal events", page.Total)
	}
}

func TestRemovingAnImportRestoresItsDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := "Id,FirstName,Email,MailingState\n003000000000001AAA,Ana,ana@example.com,CA\n"
	b := "Id,FirstName,Email,MailingState\n003000000000009AAA,Ana,ANA@example.com,NV\n003000000000010AAA,Bo,bo@example.com,NY\n"
	first, _, _ := f.importCSV(t, "a.csv", []byte(a), false)
	f.importCSV(t, "b.csv", []byte(b), false)
	c, _ := f.svc.Counts(ctx, f.kase.ID)
	if c.Total != 2 || c.DuplicatesMerged[residents.ReasonEmail] != 1 {
		t.Fatalf("counts %+v", c)
	}
	if err := f.svc.Remove(ctx, f.actor, f.kase.ID, first.ID, "duplicate export"); err != nil {
		t.Fatal(err)
	}
	c, _ = f.svc.Counts(ctx, f.kase.ID)
	states := map[string]int64{}
	for _, s := range c.States {
		states[s.Code] = s.Count
	}
	if c.Total != 2 || states["NV"] != 1 || states["CA"] != 0 {
		t.Errorf("after removing the first import: %+v", c)
	}
}

// cutReader gives n bytes of data, then fails like a dropped connection.
type cutReader struct {
	data []byte
	n    int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("unexpected EOF: client went away")
	}
	k := copy(p, c.data[:min(len(c.data), c.n, len(p))])
	c.data, c.n = c.data[k:], c.n-k
	return k, nil
}

func TestTruncatedUploadLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var buf bytes.Buffer
	residents.GenerateCRM(&buf, residents.GenOptions{Rows: 30000, Seed: 2})
	_, err := f.svc.Upload(ctx, f.actor, f.kase.ID, "big.csv", &cutReader{data: buf.Bytes(), n: 1500000})
	if err == nil || !strings.Contains(err.Error(), "cut off after 1.4 MB") {
		t.Fatalf("truncated upload: %v", err)
	}
	imps, _ := f.svc.Imports(ctx, f.kase.ID)
	var chunks int
	f.pool.QueryRow(ctx, `SELECT count(*) FROM import_chunks`).Scan(&chunks)
	if len(imps) != 1 || imps[0].Status != "failed" || chunks != 0 {
		t.Errorf("after a cut upload: %+v, %d chunks kept", imps, chunks)
	}
}

func TestDatabaseConnectionLostMidImport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var buf bytes.Buffer
	residents.GenerateCRM(&buf, residents.GenOptions{Rows: 20000, Seed: 4})
	imp, err := f.svc.Upload(ctx, f.actor, f.kase.ID, "c.csv", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	m := residents.DetectMapping(strings.Split(strings.SplitN(buf.String(), "\n", 2)[0], ","))
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, imp.ID, residents.StartOptions{Mapping: m}); err != nil {
		t.Fatal(err)
	}
	killed := false
	_, err = f.svc.Execute(ctx, imp.ID, nil, func(p residents.Progress) {
		if killed {
			return
		}
		// The server ends the import's connection, as a restart would.
		var n int
		f.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'COPY residents%'`).Scan(&n)
		killed = n > 0
	})
	if !killed {
		t.Skip("the import finished before its connection could be cut")
	}
	imp, _ = f.svc.Import(ctx, f.kase.ID, imp.ID)
	if err == nil || imp.Status != "failed" || !strings.Contains(imp.Error, "connection was lost") {
		t.Errorf("after the connection was cut: %v, status %s, %q", err, imp.Status, imp.Error)
	}
	var n int
	f.pool.QueryRow(ctx, `SELECT count(*) FROM residents`).Scan(&n)
	if n != 0 {
		t.Errorf("%d residents left by a cut import", n)
	}
	// Started again, it completes.
	if err := f.svc.Start(ctx, f.actor, f.kase.ID, imp.ID, residents.StartOptions{Mapping: m}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.svc.Execute(ctx, imp.ID, nil, nil); err != nil || res.Imported != 20000 {
		t.Errorf("second run: %v %+v", err, res)
	}
}

func TestTrailingEmptyFieldsAreTolerated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, res, err := f.importCSV(t, "excel.csv", []byte("FirstName,MailingState\r\nAna,CA,,\r\nBo,NY,\r\n"), false)
	if err != nil || !res.Committed || res.Imported != 2 || res.Bad != 0 {
		t.Errorf("trailing commas: %v %+v", err, res)
	}
}

// assertSummaryFresh checks that the counts kept during imports are what
// counting every resident gives.
func assertSummaryFresh(t *testing.T, f fixture) {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `
		SELECT coalesce(r.jurisdiction, ''), coalesce(r.country, ''), coalesce(r.dup_reason, ''), count(*), count(*) FILTER (WHERE r.conflict)
		FROM residents r WHERE r.case_id = $1 GROUP BY 1, 2, 3
		EXCEPT SELECT jurisdiction, country, dup_reason, n, conflicts FROM resident_summary WHERE case_id = $1`, f.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var j, c, d string
		var n, k int64
		rows.Scan(&j, &c, &d, &n, &k)
		t.Errorf("counts kept differ from the residents: %q %q %q has %d (%d conflicts)", j, c, d, n, k)
	}
	var extra int
	f.pool.QueryRow(context.Background(), `SELECT count(*) FROM (SELECT jurisdiction, country, dup_reason, n, conflicts FROM resident_summary WHERE case_id = $1
		EXCEPT SELECT coalesce(jurisdiction, ''), coalesce(country, ''), coalesce(dup_reason, ''), count(*), count(*) FILTER (WHERE conflict)
		FROM residents WHERE case_id = $1 GROUP BY 1, 2, 3) x`, f.kase.ID).Scan(&extra)
	if extra != 0 {
		t.Errorf("%d rows of kept counts match no residents", extra)
	}
}

func TestCountsKeptAcrossImportsAndMerges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// X and Y look like two people until Z shares X's e-mail and Y's CRM Id:
	// Y, stored as a first record, becomes a duplicate of X.
	a := "Id,FirstName,Email,MailingState,MailingPostalCode\n003000000000001AAA,Xavi,x@example.com,CA,90001\n003000000000002AAA,Yan,y@example.com,TX,10001\n"
	b := "Id,FirstName,Email,MailingState\n003000000000002AAA,Zed,X@EXAMPLE.COM,NV\n003000000000003AAA,Wu,w@example.com,NY\n"
	if _, _, err := f.importCSV(t, "a.csv", []byte(a), false); err != nil {
		t.Fatal(err)
	}
	assertSummaryFresh(t, f)
	if _, res, err := f.importCSV(t, "b.csv", []byte(b), false); err != nil || res.Duplicates != 2 {
		t.Fatalf("second import: %v %+v", err, res)
	}
	assertSummaryFresh(t, f)
	c, _ := f.svc.Counts(context.Background(), f.kase.ID)
	if c.Total != 2 || c.Conflicts != 0 {
		t.Errorf("people %d conflicts %d, want 2 and 0 (Yan's TX/NY conflict moved with him)", c.Total, c.Conflicts)
	}
}
