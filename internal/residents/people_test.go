package residents_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
)

func TestMasking(t *testing.T) {
	t.Parallel()
	m := residents.Clear{First: "José", Last: "García López", Email: "jose.garcia@example.com", Phone: "(415) 555-0199",
		Street: "12 Elm St", PostalCode: "94110", CRMID: "0035e00000AbCdEAAQ"}.Masked()
	for got, want := range map[string]string{m.First: "J***", m.Last: "G***** L****", m.Email: "j**********@e******.com",
		m.Phone: "(41*) ***-****", m.Street: "1* E** S*", m.PostalCode: "94***", m.CRMID: "003***************"} {
		if got != want {
			t.Errorf("masked %q, want %q", got, want)
		}
	}
}

func TestPeopleRevealAndConflicts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	csv := "Id,FirstName,LastName,Email,MailingStreet,MailingState,MailingPostalCode\n" +
		"003000000000001AAA,Ana,Lopez,ana@example.com,1 Elm St,NY,07030\n" +
		"003000000000002AAA,Bo,Nguyen,bo@example.com,2 Oak Ave,NY,10001\n" +
		"003000000000003AAA,Cy,Park,cy@example.com,3 Pine Rd,CA,07302\n"
	imp, _, err := f.importCSV(t, "c.csv", []byte(csv), false)
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.svc.People(ctx, f.kase.ID, residents.PeopleFilter{})
	if err != nil || page.Total != 3 || page.People[0].First != "A**" || page.People[0].Email != "a**@e******.com" {
		t.Fatalf("people %+v %v", page, err)
	}
	conflicts, _ := f.svc.People(ctx, f.kase.ID, residents.PeopleFilter{ConflictOnly: true})
	if conflicts.Total != 2 {
		t.Errorf("%d conflicts", conflicts.Total)
	}
	_, err = f.svc.Reveal(ctx, f.actor, f.kase.ID, imp.ID, 2, "")
	var v *cases.ValidationError
	if !errors.As(err, &v) {
		t.Errorf("reveal without reason: %v", err)
	}
	r, err := f.svc.Reveal(ctx, f.actor, f.kase.ID, imp.ID, 2, "Customer called about the letter")
	if err != nil || r.Name() != "Ana Lopez" || r.Email != "ana@example.com" || r.Street != "1 Elm St" || r.PostalCode != "07030" {
		t.Errorf("revealed %+v %v", r, err)
	}
	ev, _ := cases.NewService(f.pool).Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "resident.revealed"})
	if ev.Total != 1 || !strings.Contains(string(ev.Events[0].Payload), "Customer called") {
		t.Errorf("reveal not on the timeline: %+v", ev)
	}
	if _, err := f.svc.Reveal(ctx, f.actor, f.kase.ID, imp.ID, 99, "x"); !errors.Is(err, residents.ErrNotFound) {
		t.Errorf("reveal of a missing line: %v", err)
	}
	// Settle one conflict by the ZIP, the rest by the state as written.
	n, err := f.svc.ResolveConflicts(ctx, f.actor, f.kase.ID, "zip", [][2]int64{{imp.ID, 4}})
	if err != nil || n != 1 {
		t.Fatalf("resolve one: %d %v", n, err)
	}
	n, _ = f.svc.ResolveConflicts(ctx, f.actor, f.kase.ID, "state", nil)
	c, _ := f.svc.Counts(ctx, f.kase.ID)
	states := map[string]int64{}
	for _, s := range c.States {
		states[s.Code] = s.Count
	}
	if n != 1 || c.Conflicts != 0 || states["NY"] != 2 || states["NJ"] != 1 || states["CA"] != 0 {
		t.Errorf("after resolving: settled %d, counts %+v", n, c)
	}
}

func TestPreviewIsMasked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	csv := "FirstName,Email,MailingStreet,MailingState,MailingPostalCode,MailingCountry\nPhilippa,pw@example.org,88 Quill Lane,California,94965,USA\n"
	imp, err := f.svc.Upload(ctx, f.actor, f.kase.ID, "p.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Preview(ctx, f.kase.ID, imp.ID, residents.EncodingAuto, 20)
	if err != nil || len(p.Rows) != 1 {
		t.Fatalf("preview %+v %v", p, err)
	}
	want := []string{"P*******", "p*@e******.org", "8* Q**** L***", "California", "94***", "USA"}
	for i, w := range want {
		if p.Rows[0][i] != w {
			t.Errorf("column %s: %q, want %q", p.Header[i], p.Rows[0][i], w)
		}
	}
}

// The list's totals come from the case's kept counts where they can; they
// must equal what the list holds, for every filter.
func TestPeopleTotalsMatchTheList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if _, err := residents.GenerateCRM(&buf, residents.GenOptions{Rows: 1500, Messy: true, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	first, _, err := f.importCSV(t, "a.csv", buf.Bytes(), true)
	if err != nil {
		t.Fatal(err)
	}
	// A second import of the same people: duplicates across imports.
	if _, _, err := f.importCSV(t, "b.csv", buf.Bytes(), true); err != nil {
		t.Fatal(err)
	}
	var conflicted string
	f.pool.QueryRow(ctx, `SELECT jurisdiction FROM residents WHERE case_id = $1 AND conflict LIMIT 1`, f.kase.ID).Scan(&conflicted)
	filters := []residents.PeopleFilter{{}, {Jurisdiction: "CA"}, {Jurisdiction: "intl"}, {Jurisdiction: "unknown"},
		{ConflictOnly: true}, {ConflictOnly: true, Jurisdiction: conflicted}, {ImportID: first.ID}, {ImportID: first.ID, Jurisdiction: "TX"}}
	for _, fl := range filters {
		fl.PerPage = 200
		// Walk every page: the listed people must add up to the total.
		listed, pages := 0, 1
		for fl.Page = 1; fl.Page <= pages; fl.Page++ {
			page, err := f.svc.People(ctx, f.kase.ID, fl)
			if err != nil {
				t.Fatalf("%+v: %v", fl, err)
			}
			listed, pages = listed+len(page.People), page.Pages
			if fl.Page == 1 && page.Total == 0 && fl.Jurisdiction != conflicted {
				t.Errorf("%+v: no one listed; the generated export should hold some", fl)
			}
			if fl.Page == pages && listed != page.Total {
				t.Errorf("%+v: total %d, listed %d", fl, page.Total, listed)
			}
		}
	}
}
