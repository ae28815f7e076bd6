package residents_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
)

func TestPurge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	csv := "Id,FirstName,LastName,Email,MailingStreet,MailingState,MailingPostalCode\n" +
		"003000000000001AAA,Ana,Lopez,ana@example.com,1 Elm St,NY,10001\n" +
		"003000000000002AAA,Bo,Nguyen,bo@example.com,2 Oak Ave,CA,94110\n"
	imp, _, err := f.importCSV(t, "c.csv", []byte(csv), false)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := f.svc.Counts(ctx, f.kase.ID)
	if n, _ := f.svc.CountAudience(ctx, f.kase.ID, residents.Audience{Jurisdictions: []string{"NY"}}); n != 1 {
		t.Errorf("NY letters before purge: %d", n)
	}
	var ve *cases.ValidationError
	if _, err := f.svc.Purge(ctx, f.actor, f.kase.ID, " "); !errors.As(err, &ve) {
		t.Errorf("purge without a reason: %v", err)
	}
	if _, err := f.svc.Purge(ctx, f.actor, f.kase.ID, "done"); !errors.Is(err, residents.ErrNotClosed) {
		t.Errorf("purge of an open case: %v", err)
	}
	cs := cases.NewService(f.pool)
	c, _ := cs.Get(ctx, f.kase.Reference)
	if _, err := cs.SetStatus(ctx, f.actor, c.Reference, c.Version, "closed", ""); err != nil {
		t.Fatal(err)
	}

	// No retention period: the daily job leaves the case alone.
	if n, err := f.svc.PurgeExpired(ctx, time.Now().Add(1000*24*time.Hour)); n != 0 || err != nil {
		t.Errorf("purge without a retention period: %d %v", n, err)
	}
	f.pool.Exec(ctx, `UPDATE org_settings SET retention_days = 30`)
	if n, _ := f.svc.PurgeExpired(ctx, time.Now().Add(29*24*time.Hour)); n != 0 {
		t.Errorf("purged before the period ended: %d", n)
	}
	if n, err := f.svc.PurgeExpired(ctx, time.Now().Add(31*24*time.Hour)); n != 1 || err != nil {
		t.Fatalf("purge after the period: %d %v", n, err)
	}
	if n, _ := f.svc.PurgeExpired(ctx, time.Now().Add(31*24*time.Hour)); n != 0 {
		t.Errorf("a purged case purged again: %d", n)
	}

	var left, keys int
	f.pool.QueryRow(ctx, `SELECT count(*) FROM residents WHERE case_id = $1 AND (enc_name IS NOT NULL OR enc_email IS NOT NULL OR
		enc_address IS NOT NULL OR enc_crm_id IS NOT NULL OR bi_email IS NOT NULL OR nonce IS NOT NULL)`, f.kase.ID).Scan(&left)
	f.pool.QueryRow(ctx, `SELECT count(*) FROM case_keys WHERE case_id = $1 AND wrapped_key IS NOT NULL`, f.kase.ID).Scan(&keys)
	if left != 0 || keys != 0 {
		t.Errorf("%d residents keep personal data, %d keys remain", left, keys)
	}
	after, _ := f.svc.Counts(ctx, f.kase.ID)
	if after.Total != before.Total || len(after.States) != len(before.States) {
		t.Errorf("counts changed: %+v → %+v", before, after)
	}
	page, err := f.svc.People(ctx, f.kase.ID, residents.PeopleFilter{})
	if err != nil || page.Total != 2 || page.People[0].Jurisdiction == "" || page.People[0].First != "" {
		t.Errorf("people after purge: %+v %v", page, err)
	}
	if n, err := f.svc.CountAudience(ctx, f.kase.ID, residents.Audience{}); n != 0 || err != nil {
		t.Errorf("letters to write after purge: %d %v", n, err)
	}
	if _, err := f.svc.Reveal(ctx, f.actor, f.kase.ID, imp.ID, 2, "x"); !errors.Is(err, residents.ErrKeyDestroyed) {
		t.Errorf("reveal after purge: %v", err)
	}
	ev, _ := cs.Timeline(ctx, f.kase.ID, cases.TimelineFilter{Kind: "residents.purged"})
	if ev.Total != 1 || ev.Events[0].Actor != "retention policy" || !strings.Contains(string(ev.Events[0].Payload), "30 days") {
		t.Errorf("purge on the timeline: %+v", ev)
	}
	if r, _ := cs.Verify(ctx, f.kase.Reference); !r.Intact() {
		t.Errorf("timeline after purge: %+v", r)
	}
}

// TestHomeCountrySetting: the organisation's home country decides what a
// blank country means, over the server's configuration.
func TestHomeCountrySetting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	csv := "Id,FirstName,MailingCity,MailingPostalCode,MailingCountry\n003A1,Ana,Berlin,10115,\n"
	if _, _, err := f.importCSV(t, "us.csv", []byte(csv), false); err != nil {
		t.Fatal(err)
	}
	c, _ := f.svc.Counts(ctx, f.kase.ID)
	if len(c.States) != 1 || c.States[0].Code != "NY" {
		t.Fatalf("home US: %+v", c)
	}
	f.pool.Exec(ctx, `UPDATE org_settings SET home_country = 'DE'`)
	if _, _, err := f.importCSV(t, "de.csv", []byte(strings.Replace(csv, "003A1,Ana", "003B2,Bea", 1)), false); err != nil {
		t.Fatal(err)
	}
	c, _ = f.svc.Counts(ctx, f.kase.ID)
	if len(c.Countries) != 1 || c.Countries[0].Country != "DE" || c.Countries[0].Count != 1 {
		t.Errorf("home DE: %+v", c)
	}
}
