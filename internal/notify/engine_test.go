package notify

import (
	"slices"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/cases"
)

func ptr[T any](v T) *T { return &v }

// exposed returns facts of a breach of unencrypted data with every element
// exposed and harm found: notifiable everywhere.
func exposed(discovered time.Time) cases.Facts {
	all := make([]string, 0, len(cases.DataElements))
	for _, o := range cases.DataElements {
		all = append(all, o.Value)
	}
	return cases.Facts{DiscoveredAt: discovered, DeterminedAt: &discovered, DataElements: all,
		Encrypted: ptr(false), HarmFound: ptr(true), Acquired: ptr(true)}
}

// inputFor places n affected people where j's law reaches them.
func inputFor(j *Jurisdiction, f cases.Facts, n int64) Input {
	in := Input{Facts: f, States: map[string]int64{}, Countries: map[string]int64{}, Org: map[string]*bool{}, Total: n}
	switch {
	case len(j.Scope.Countries) > 0:
		in.Countries[j.Scope.Countries[0]] = n
	case j.Scope.Organisation != "":
		in.Org[j.Scope.Organisation] = ptr(true)
	default:
		in.States[j.Code] = n
	}
	return in
}

func find(t *testing.T, out Outcome, code, recipient string) Obligation {
	t.Helper()
	for _, o := range out.Obligations {
		if o.Jurisdiction == code && o.Recipient == recipient {
			return o
		}
	}
	t.Fatalf("no %s obligation for %s in %+v", recipient, code, out.Obligations)
	return Obligation{}
}

func at(zone string, s string) time.Time {
	loc, _ := time.LoadLocation(zone)
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCalifornia2026(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	f := exposed(at("America/Los_Angeles", "2026-10-20 09:00"))
	f.DataElements = []string{"name", "ssn"}
	out, err := Evaluate(Input{Facts: f, States: map[string]int64{"CA": 1204}}, r)
	if err != nil {
		t.Fatal(err)
	}
	ind := find(t, out, "CA", "individuals")
	// 30 calendar days, across the end of daylight saving time.
	if !ind.Triggered() || ind.Due == nil || !ind.Due.Equal(at("America/Los_Angeles", "2026-11-19 23:59")) {
		t.Errorf("individuals: %+v", ind)
	}
	ag := find(t, out, "CA", "regulator")
	if !ag.Triggered() || !ag.Projected || !ag.Due.Equal(at("America/Los_Angeles", "2026-12-04 23:59")) ||
		!strings.Contains(ag.Citation, "1798.82(f)") || !strings.Contains(strings.Join(ag.Reasons, " "), "1,204 residents meets the threshold (more than 500)") {
		t.Errorf("attorney general: %+v", ag)
	}
	// Once the consumer notice went out, the AG's 15 days count from it.
	sent := at("America/Los_Angeles", "2026-11-02 10:00")
	out, _ = Evaluate(Input{Facts: f, States: map[string]int64{"CA": 1204}, IndividualNoticeSent: map[string]time.Time{"CA": sent}}, r)
	if ag := find(t, out, "CA", "regulator"); ag.Projected || !ag.Due.Equal(at("America/Los_Angeles", "2026-11-17 23:59")) {
		t.Errorf("attorney general after the notice: %+v", ag)
	}
}

func TestCalifornia2025UsesTheOldRule(t *testing.T) {
	t.Parallel()
	f := exposed(at("America/Los_Angeles", "2025-06-02 09:00"))
	out, _ := Evaluate(Input{Facts: f, States: map[string]int64{"CA": 800}, InternalTargetDays: 20}, mustRules(t))
	ind := find(t, out, "CA", "individuals")
	if ind.Due != nil || ind.InternalTarget == nil || !ind.InternalTarget.Equal(at("America/Los_Angeles", "2025-06-22 23:59")) ||
		!strings.Contains(ind.DueText, "without unreasonable delay") || ind.RuleVersion != "2000-01-01" {
		t.Errorf("2025 individuals: %+v", ind)
	}
}

func TestThresholdsAtJustUnderAndOver(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	f := exposed(at("America/New_York", "2026-11-02 09:00"))
	for _, code := range r.Codes() {
		j, _ := r.Get(code)
		v, _ := j.At(f.DiscoveredAt)
		for _, n := range v.Notices {
			if n.Threshold.Comparison == "any" {
				continue
			}
			for _, residents := range []int64{n.Threshold.Count - 1, n.Threshold.Count, n.Threshold.Count + 1} {
				if residents <= 0 {
					continue
				}
				out, err := Evaluate(inputFor(j, f, residents), r)
				if err != nil {
					t.Fatal(err)
				}
				want := n.Threshold.Met(residents)
				got := false
				for _, o := range out.Obligations {
					if o.Recipient == n.Recipient && o.To == strings.TrimSpace(n.To) {
						got = o.Triggered()
					}
				}
				if got != want {
					t.Errorf("%s %s %s at %d residents: triggered %v, want %v", code, n.Recipient, n.Threshold, residents, got, want)
				}
			}
		}
	}
}

func TestEveryJurisdictionTriggersAndDoesNot(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	for _, code := range r.Codes() {
		j, _ := r.Get(code)
		f := exposed(at("America/New_York", "2026-11-02 09:00"))
		mat := f.DiscoveredAt
		in := inputFor(j, f, 600)
		in.MaterialAt = &mat
		out, _ := Evaluate(in, r)
		var mine []Obligation
		for _, o := range out.Obligations {
			if o.Jurisdiction == code {
				mine = append(mine, o)
			}
		}
		if len(mine) == 0 {
			t.Errorf("%s: no obligations at all", code)
			continue
		}
		first := mine[0]
		for _, o := range mine {
			if o.Recipient == "individuals" {
				first = o
			}
		}
		if !first.Triggered() || (first.Due == nil && first.InternalTarget == nil) || first.Citation == "" {
			t.Errorf("%s: an unencrypted SSN and health breach does not trigger %s: %+v", code, first.Recipient, first)
		}
		// Data encrypted with a key that stayed safe: no duty where the law
		// has a safe harbor; and laws without one still apply.
		f.Encrypted, f.KeyCompromised = ptr(true), ptr(false)
		in = inputFor(j, f, 600)
		in.MaterialAt = &mat
		out, _ = Evaluate(in, r)
		v, _ := j.At(f.DiscoveredAt)
		for _, o := range out.Obligations {
			if o.Jurisdiction == code && v.EncryptionSafeHarbor && o.Status != NotTriggered {
				t.Errorf("%s %s: encrypted with a safe key still %s", code, o.Recipient, o.Status)
			}
		}
		if len(j.Scope.Countries) > 0 || j.Scope.Organisation != "" {
			continue
		}
		// Only an e-mail address and a phone number: no state's law covers these alone.
		f = exposed(at("America/New_York", "2026-11-02 09:00"))
		f.DataElements = []string{"email", "phone"}
		out, _ = Evaluate(Input{Facts: f, States: map[string]int64{code: 10}}, r)
		if ind := find(t, out, code, "individuals"); ind.Status != NotTriggered || !strings.Contains(strings.Join(ind.Reasons, " "), "no element the law covers") {
			t.Errorf("%s: e-mail and phone alone: %+v", code, ind)
		}
	}
}

func TestFederalAndForeignRegimes(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	f := exposed(at("America/New_York", "2026-03-06 16:00"))
	// GDPR: 72 hours from awareness, across the US daylight-saving change
	// does not matter: hours are exact.
	out, _ := Evaluate(Input{Facts: f, Countries: map[string]int64{"DE": 30, "FR": 12, "CA": 5}, Total: 47}, r)
	sa := find(t, out, "GDPR", "regulator")
	if !sa.Triggered() || !sa.Due.Equal(f.DiscoveredAt.Add(72*time.Hour)) || sa.Residents != 42 {
		t.Errorf("GDPR supervisory authority: %+v", sa)
	}
	if o := find(t, out, "GDPR", "individuals"); !o.Triggered() {
		t.Errorf("GDPR data subjects with harm found: %+v", o)
	}
	f.HarmFound = nil
	out, _ = Evaluate(Input{Facts: f, Countries: map[string]int64{"GB": 3}}, r)
	if o := find(t, out, "UKGDPR", "individuals"); o.Status != NeedsFacts || !strings.Contains(strings.Join(o.Needs, " "), "high risk") {
		t.Errorf("UK data subjects without a risk finding: %+v", o)
	}
	// Organisation laws: not known → needs; not of the kind → absent; of the kind → applies.
	f = exposed(at("America/New_York", "2026-11-02 09:00"))
	out, _ = Evaluate(Input{Facts: f, States: map[string]int64{"NY": 10}, Total: 10}, r)
	if o := find(t, out, "SEC", "regulator"); o.Status != NeedsFacts || !strings.Contains(o.Needs[0], "SEC registrant") {
		t.Errorf("SEC with the organisation unknown: %+v", o)
	}
	out, _ = Evaluate(Input{Facts: f, States: map[string]int64{"NY": 10}, Total: 10, Org: map[string]*bool{
		"sec_registrant": ptr(false), "nydfs_covered": ptr(false), "hipaa_covered_entity": ptr(false), "ftc_financial_institution": ptr(false)}}, r)
	for _, o := range out.Obligations {
		if o.Jurisdiction != "NY" {
			t.Errorf("%s listed for an organisation that is not of its kind", o.Jurisdiction)
		}
	}
	material := at("America/New_York", "2026-11-25 10:00") // the Wednesday before Thanksgiving
	out, _ = Evaluate(Input{Facts: f, Total: 10, MaterialAt: &material, Org: map[string]*bool{"sec_registrant": ptr(true), "hipaa_covered_entity": ptr(true)}}, r)
	if o := find(t, out, "SEC", "regulator"); !o.Due.Equal(at("America/New_York", "2026-12-02 23:59")) {
		t.Errorf("SEC 8-K due %v", o.Due)
	}
	if o := find(t, out, "HIPAA", "regulator"); !strings.Contains(o.To, "annual log") || !o.Due.Equal(at("America/New_York", "2027-03-01 23:59")) {
		t.Errorf("HIPAA under 500: %+v", o)
	}
}

func TestEncryptionSafeHarbor(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	f := exposed(at("America/Chicago", "2026-11-02 09:00"))
	f.Encrypted = ptr(true)
	for _, c := range []struct {
		key  *bool
		want string
	}{{ptr(false), NotTriggered}, {nil, NeedsFacts}, {ptr(true), Triggered}} {
		f.KeyCompromised = c.key
		out, _ := Evaluate(Input{Facts: f, States: map[string]int64{"TX": 300}}, r)
		o := find(t, out, "TX", "individuals")
		if o.Status != c.want {
			t.Errorf("key compromised %v: %s, want %s (%v)", c.key, o.Status, c.want, o.Reasons)
		}
		if c.key == nil && !slices.Contains(o.Needs, "whether the encryption key was compromised too") {
			t.Errorf("needs %v", o.Needs)
		}
	}
}

func TestRiskOfHarmAndMissingDetermination(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	f := exposed(at("America/Chicago", "2026-11-02 09:00"))
	f.HarmFound = ptr(false)
	out, _ := Evaluate(Input{Facts: f, States: map[string]int64{"AL": 2000, "CA": 10}}, r)
	if o := find(t, out, "AL", "individuals"); o.Status != NotTriggered || !strings.Contains(strings.Join(o.Reasons, " "), "harm unlikely") {
		t.Errorf("AL with harm unlikely: %+v", o)
	}
	if o := find(t, out, "CA", "individuals"); !o.Triggered() {
		t.Errorf("CA has no risk-of-harm exception: %+v", o)
	}
	// Texas counts from determination: without one, the deadline is provisional.
	f = exposed(at("America/Chicago", "2026-11-02 09:00"))
	f.DeterminedAt = nil
	out, _ = Evaluate(Input{Facts: f, States: map[string]int64{"TX": 300}}, r)
	if o := find(t, out, "TX", "individuals"); len(o.Needs) == 0 || !strings.Contains(o.Needs[0], "determined") {
		t.Errorf("TX without determination: %+v", o)
	}
}

func TestBusinessDaysSkipWeekendsAndFederalHolidays(t *testing.T) {
	t.Parallel()
	// Vermont: preliminary notice to the AG within 14 business days; from
	// Friday 20 November 2026, across Thanksgiving.
	f := exposed(at("America/New_York", "2026-11-20 10:00"))
	out, _ := Evaluate(Input{Facts: f, States: map[string]int64{"VT": 3}}, mustRules(t))
	o := find(t, out, "VT", "regulator")
	if o.Due == nil || !o.Due.Equal(at("America/New_York", "2026-12-11 23:59")) {
		t.Errorf("VT regulator due %v", o.Due)
	}
	hol := FederalHolidays(2027)
	if !hol[0].Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) || !hol[5].Equal(time.Date(2027, 7, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("2027 holidays %v", hol)
	}
}

func TestHoursAcrossDaylightSavingAndLawEnforcementDelay(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("America/New_York")
	anchor := time.Date(2026, 3, 7, 12, 0, 0, 0, loc) // DST begins 8 March
	due := anchor.Add(72 * time.Hour).In(loc)
	if due.Hour() != 13 || due.Day() != 10 {
		t.Errorf("72 hours across DST: %s", due)
	}
	// A documented law-enforcement delay pauses the clock.
	f := exposed(at("America/Los_Angeles", "2026-10-20 09:00"))
	f.LEAgency, f.LERequestedOn, f.LEUntil = "FBI", ptr(at("America/Los_Angeles", "2026-10-22 09:00")), ptr(at("America/Los_Angeles", "2026-11-01 09:00"))
	out, _ := Evaluate(Input{Facts: f, States: map[string]int64{"CA": 10}}, mustRules(t))
	if o := find(t, out, "CA", "individuals"); !o.Due.Equal(at("America/Los_Angeles", "2026-11-29 23:59")) || !strings.Contains(strings.Join(o.Reasons, " "), "paused 10 days") {
		t.Errorf("with a 10-day delay: %v %v", o.Due, o.Reasons)
	}
}

func TestResidentsWithoutARuleAreCounted(t *testing.T) {
	t.Parallel()
	out, err := Evaluate(Input{Facts: exposed(time.Now()), States: map[string]int64{"AE": 7, "AS": 2, "NY": 1}}, mustRules(t))
	if err != nil || len(out.Unruled) != 2 || out.Unruled[0].Jurisdiction != "AE" || out.Unruled[0].Residents != 7 {
		t.Errorf("unruled %+v %v", out.Unruled, err)
	}
	if _, err := Evaluate(Input{States: map[string]int64{"NY": 1}}, mustRules(t)); err != ErrNoDiscovery {
		t.Errorf("no discovery: %v", err)
	}
}

func BenchmarkEvaluateAllJurisdictions(b *testing.B) {
	r := mustRules(b)
	states := map[string]int64{}
	for i, c := range r.Codes() {
		states[c] = int64(100 * (i + 1))
	}
	in := Input{Facts: exposed(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), States: states}
	for b.Loop() {
		if _, err := Evaluate(in, r); err != nil {
			b.Fatal(err)
		}
	}
}
