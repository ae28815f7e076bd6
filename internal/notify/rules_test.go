package notify

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func mustRules(t testing.TB) *Rules {
	t.Helper()
	r, err := LoadRules(RuleFiles)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEveryJurisdictionIsCitedSourcedAndReviewed covers the 50 states, DC,
// PR, GU and VI.
func TestEveryJurisdictionIsCitedSourcedAndReviewed(t *testing.T) {
	t.Parallel()
	r := mustRules(t)
	want := strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
		NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI GDPR UKGDPR NYDFS SEC HIPAA FTC`)
	if len(r.Codes()) != len(want) {
		t.Errorf("%d jurisdictions in the rules, want %d", len(r.Codes()), len(want))
	}
	for _, code := range want {
		j, ok := r.Get(code)
		if !ok {
			t.Errorf("no rules for %s", code)
			continue
		}
		if len(j.Citations) == 0 || len(j.Sources) == 0 || j.LastReviewed == "" {
			t.Errorf("%s: citation %v, sources %d, reviewed %q", code, j.Citations, len(j.Sources), j.LastReviewed)
		}
		for _, v := range j.Versions {
			for _, n := range v.Notices {
				if n.Citation == "" {
					t.Errorf("%s: a %s notice has no citation", code, n.Recipient)
				}
			}
		}
	}
}

func TestBadRuleFilesAreNamed(t *testing.T) {
	t.Parallel()
	good := `{"code":"ZZ","name":"Test","kind":"state","zone":"UTC","citations":["Z. Code § 1"],"sources":[{"title":"t","url":"u"}],
	"last_reviewed":"2026-01-01","confidence":"high","review_note":"","versions":[{"effective_from":"2000-01-01",
	"pi":{"with_name":[["ssn"]],"without_name":[],"untracked":[]},"encryption_safe_harbor":true,"key_compromise_voids":true,
	"risk_of_harm":{"available":false,"documentation_required":false,"regulator_gets_determination":false},"le_delay_pauses":true,
	"notices":[{"recipient":"individuals","threshold":{"comparison":"any"},"deadline":{"kind":"days","n":30,"day_type":"calendar","from":"discovery","text":"30 days"},"citation":"Z. Code § 1(a)"}],
	"content":{"required_items":[],"prohibited_items":[],"format_requirements":[],"identity_theft_months":null}}]}`
	if _, err := LoadRules(fstest.MapFS{"rules/ZZ.json": {Data: []byte(good)}}); err != nil {
		t.Fatalf("good file refused: %v", err)
	}
	for name, c := range map[string]struct{ from, to, field string }{
		"typo in a key":   {`"day_type"`, `"daytype"`, "(file)"},
		"unknown element": {`[["ssn"]]`, `[["snn"]]`, "versions[0].pi.with_name[0]"},
		"bad day type":    {`"calendar"`, `"calender"`, "versions[0].notices[0].deadline"},
		"no citation":     {`"citation":"Z. Code § 1(a)"`, `"citation":""`, "versions[0].notices[0].citation"},
		"bad review date": {`"2026-01-01"`, `"last year"`, "last_reviewed"},
		"bad threshold":   {`{"comparison":"any"}`, `{"comparison":"about"}`, "versions[0].notices[0].threshold.comparison"},
		"code not file":   {`"code":"ZZ"`, `"code":"ZY"`, "code"},
		"no sources":      {`[{"title":"t","url":"u"}]`, `[]`, "sources"},
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		_, err := LoadRules(fstest.MapFS{"rules/ZZ.json": {Data: []byte(bad)}})
		var re *RuleError
		if !errors.As(err, &re) || re.File != "rules/ZZ.json" || re.Field != c.field {
			t.Errorf("%s: got %v, want an error on field %s", name, err, c.field)
		}
	}
}

func TestCaliforniaVersionsByDiscoveryDate(t *testing.T) {
	t.Parallel()
	ca, _ := mustRules(t).Get("CA")
	v2025, ok := ca.At(time.Date(2025, 12, 31, 23, 0, 0, 0, ca.Location()))
	if !ok || v2025.Notices[0].Deadline.Kind != "unreasonable_delay" {
		t.Errorf("2025: %+v", v2025)
	}
	v2026, ok := ca.At(time.Date(2026, 1, 1, 0, 0, 0, 0, ca.Location()))
	if !ok || v2026.Notices[0].Deadline.Kind != "days" || v2026.Notices[0].Deadline.N != 30 {
		t.Errorf("2026: %+v", v2026)
	}
}

func TestSubstituteNotice(t *testing.T) {
	t.Parallel()
	ca, _ := mustRules(t).Get("CA")
	v, _ := ca.At(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if ok, why := v.SubstituteNotice.Allowed(600000, 0, false); !ok || !strings.Contains(why, "more than 500,000") {
		t.Errorf("600,000 people: %v %q", ok, why)
	}
	if ok, _ := v.SubstituteNotice.Allowed(1000, 1000, false); ok {
		t.Error("substitute notice allowed for 1,000 people at low cost")
	}
	if ok, why := v.SubstituteNotice.Allowed(10, 300000, false); !ok || !strings.Contains(why, "$250,000") {
		t.Errorf("cost over $250,000: %v %q", ok, why)
	}
}
