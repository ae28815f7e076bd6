// Package notify holds the breach-notification rules of each jurisdiction
// and the engine that turns a case's facts and resident counts into
// notification obligations, each with its deadline, its reasons and the
// statute behind it. The engine is decision support for counsel, not
// legal advice. It knows nothing of HTTP.
package notify

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"breachdesk/internal/cases"
)

// RuleFiles holds one JSON file per jurisdiction, reviewed like code.
//
//go:embed rules/*.json
var RuleFiles embed.FS

// Jurisdiction is one jurisdiction's rules over time.
type Jurisdiction struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Zone         string   `json:"zone"`
	Citations    []string `json:"citations"`
	Sources      []Source `json:"sources"`
	LastReviewed string   `json:"last_reviewed"`
	Confidence   string   `json:"confidence"`
	ReviewNote   string   `json:"review_note"`
	// Scope says whose breaches the law covers: by default the residents
	// of the jurisdiction named by Code; or the residents of the listed
	// countries (the GDPR); or every affected person when the organisation
	// is of a kind (an SEC registrant, a HIPAA covered entity…).
	Scope    Scope     `json:"scope,omitzero"`
	Versions []Version `json:"versions"`

	file string
	loc  *time.Location
}

// Scope is whose breaches a law covers; see Jurisdiction.Scope.
type Scope struct {
	Countries    []string `json:"countries,omitempty"`
	Organisation string   `json:"organisation,omitempty"`
}

// OrgKinds are the kinds of organisation some laws apply to, with the
// question a person answers to set them.
var OrgKinds = []struct{ Key, Question string }{
	{"sec_registrant", "Is the organisation an SEC registrant (files Form 8-K)?"},
	{"nydfs_covered", "Is the organisation regulated by the New York DFS (23 NYCRR Part 500)?"},
	{"hipaa_covered_entity", "Is the organisation a HIPAA covered entity or business associate?"},
	{"ftc_financial_institution", "Is the organisation a financial institution under the FTC Safeguards Rule?"},
}

// Source is where a rule's facts come from.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Version is the law of a jurisdiction between two dates.
type Version struct {
	EffectiveFrom        string       `json:"effective_from"`
	EffectiveTo          string       `json:"effective_to,omitempty"`
	PI                   PIElements   `json:"pi"`
	EncryptionSafeHarbor bool         `json:"encryption_safe_harbor"`
	KeyCompromiseVoids   bool         `json:"key_compromise_voids"`
	RiskOfHarm           RiskOfHarm   `json:"risk_of_harm"`
	LEDelayPauses        bool         `json:"le_delay_pauses"`
	Notices              []NoticeRule `json:"notices"`
	Content              Content      `json:"content"`
	SubstituteNotice     Substitute   `json:"substitute_notice"`

	from, to time.Time
}

// PIElements says which exposed data elements make a breach notifiable:
// each entry is a combination of case data elements that must all be
// exposed (["financial_account", "access_code"]).
type PIElements struct {
	WithName    [][]string `json:"with_name"`
	WithoutName [][]string `json:"without_name"`
	// Untracked are elements of the statute the case facts do not record.
	Untracked []string `json:"untracked"`
}

// RiskOfHarm is the exception for breaches unlikely to cause harm.
type RiskOfHarm struct {
	Available                  bool `json:"available"`
	DocumentationRequired      bool `json:"documentation_required"`
	RegulatorGetsDetermination bool `json:"regulator_gets_determination"`
}

// NoticeRule is one notice the law requires.
type NoticeRule struct {
	// Recipient is "individuals", "regulator" or "cras".
	Recipient string    `json:"recipient"`
	To        string    `json:"to,omitempty"`
	Threshold Threshold `json:"threshold"`
	// NeedsHighRisk limits the notice to breaches likely to result in a
	// high risk to individuals (GDPR Art. 34).
	NeedsHighRisk bool         `json:"needs_high_risk,omitempty"`
	Deadline      DeadlineRule `json:"deadline"`
	Method        string       `json:"method,omitempty"`
	Citation      string       `json:"citation"`
}

// Threshold is the number of residents that triggers a notice.
type Threshold struct {
	Count      int64  `json:"count,omitempty"`
	Comparison string `json:"comparison"` // ">", ">=", "<" or "any"
}

// Met reports whether n residents meet the threshold.
func (t Threshold) Met(n int64) bool {
	switch t.Comparison {
	case ">":
		return n > t.Count
	case ">=":
		return n >= t.Count
	case "<":
		return n > 0 && n < t.Count
	}
	return n > 0
}

func (t Threshold) String() string {
	switch t.Comparison {
	case ">":
		return "more than " + comma(t.Count)
	case ">=":
		return comma(t.Count) + " or more"
	case "<":
		return "fewer than " + comma(t.Count)
	}
	return "any number"
}

// DeadlineRule is when a notice is due.
type DeadlineRule struct {
	// Kind is "days", "hours", "unreasonable_delay" (no fixed time),
	// "with_individuals" (no later than the notice to individuals),
	// "before_individuals", or "after_year_end" (n days after the end of
	// the calendar year of the anchor).
	Kind    string `json:"kind"`
	N       int    `json:"n,omitempty"`
	DayType string `json:"day_type,omitempty"` // "calendar" or "business"
	// From is "discovery", "determination", "materiality" (an SEC
	// registrant's materiality determination) or "individual_notice".
	From string `json:"from,omitempty"`
	// Text is the statute's words.
	Text string `json:"text"`
}

// Substitute is when notice may be given by website and media instead of
// to each person: the cost of direct notice or the number to notify over
// a threshold, or contact details lacking.
type Substitute struct {
	CostThresholdUSD        *int64   `json:"cost_threshold_usd"`
	AffectedThreshold       *int64   `json:"affected_threshold"`
	Comparison              string   `json:"comparison"`
	InsufficientContactInfo bool     `json:"insufficient_contact_info"`
	Components              []string `json:"components"`
}

// Allowed reports whether substitute notice is allowed for n people, a
// direct-notice cost of costUSD, or (contactMissing) people without contact
// details, and says why.
func (s Substitute) Allowed(n, costUSD int64, contactMissing bool) (bool, string) {
	switch {
	case s.CostThresholdUSD != nil && costUSD > *s.CostThresholdUSD:
		return true, fmt.Sprintf("the cost of direct notice exceeds $%s", comma(*s.CostThresholdUSD))
	case s.AffectedThreshold != nil && (Threshold{Count: *s.AffectedThreshold, Comparison: s.Comparison}).Met(n):
		return true, fmt.Sprintf("%s people to notify is %s", comma(n), Threshold{Count: *s.AffectedThreshold, Comparison: s.Comparison})
	case contactMissing && s.InsufficientContactInfo:
		return true, "contact details are insufficient"
	}
	return false, ""
}

// Content is what a notice must and must not say (used by notice drafts).
type Content struct {
	RequiredItems       []string `json:"required_items"`
	ProhibitedItems     []string `json:"prohibited_items"`
	FormatRequirements  []string `json:"format_requirements"`
	IdentityTheftMonths *int     `json:"identity_theft_months"`
}

// Rules are every jurisdiction's rules, by code.
type Rules struct {
	byCode map[string]*Jurisdiction
	codes  []string
}

// RuleError names the file and field of a bad rule.
type RuleError struct {
	File, Field, Problem string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("rules file %s: %s: %s", e.File, e.Field, e.Problem)
}

// LoadRules reads and validates every rules file in fsys (a folder of
// <CODE>.json). It returns the first problem as a *RuleError naming the file
// and the field, so a typo stops the start with a clear message.
func LoadRules(fsys fs.FS) (*Rules, error) {
	names, err := fs.Glob(fsys, "rules/*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, &RuleError{File: "rules/", Field: "files", Problem: "no rules files"}
	}
	r := &Rules{byCode: map[string]*Jurisdiction{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var j Jurisdiction
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			return nil, &RuleError{File: name, Field: "(file)", Problem: err.Error()}
		}
		j.file = name
		if err := j.validate(path.Base(name)); err != nil {
			return nil, err
		}
		if _, dup := r.byCode[j.Code]; dup {
			return nil, &RuleError{File: name, Field: "code", Problem: fmt.Sprintf("%s is defined twice", j.Code)}
		}
		r.byCode[j.Code] = &j
		r.codes = append(r.codes, j.Code)
	}
	sort.Strings(r.codes)
	return r, nil
}

var knownElements = func() map[string]bool {
	m := map[string]bool{}
	for _, o := range cases.DataElements {
		m[o.Value] = true
	}
	return m
}()

func (j *Jurisdiction) validate(base string) error {
	bad := func(field, problem string) error { return &RuleError{File: j.file, Field: field, Problem: problem} }
	if j.Code == "" || base != j.Code+".json" {
		return bad("code", fmt.Sprintf("%q does not match the file name %s", j.Code, base))
	}
	if strings.TrimSpace(j.Name) == "" {
		return bad("name", "missing")
	}
	if len(j.Citations) == 0 || strings.TrimSpace(j.Citations[0]) == "" {
		return bad("citations", "at least one statute citation is required")
	}
	if len(j.Sources) == 0 {
		return bad("sources", "at least one source is required")
	}
	if _, err := time.Parse(time.DateOnly, j.LastReviewed); err != nil {
		return bad("last_reviewed", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", j.LastReviewed))
	}
	loc, err := time.LoadLocation(j.Zone)
	if err != nil || j.Zone == "" {
		return bad("zone", fmt.Sprintf("%q is not a time zone", j.Zone))
	}
	j.loc = loc
	if len(j.Versions) == 0 {
		return bad("versions", "at least one version is required")
	}
	if o := j.Scope.Organisation; o != "" && !slices.ContainsFunc(OrgKinds, func(k struct{ Key, Question string }) bool { return k.Key == o }) {
		return bad("scope.organisation", fmt.Sprintf("unknown kind of organisation %q", o))
	}
	for i := range j.Versions {
		v := &j.Versions[i]
		at := func(f string) string { return fmt.Sprintf("versions[%d].%s", i, f) }
		if v.from, err = time.ParseInLocation(time.DateOnly, v.EffectiveFrom, loc); err != nil {
			return bad(at("effective_from"), fmt.Sprintf("%q is not a date", v.EffectiveFrom))
		}
		v.to = time.Date(9999, 1, 1, 0, 0, 0, 0, loc)
		if v.EffectiveTo != "" {
			to, err := time.ParseInLocation(time.DateOnly, v.EffectiveTo, loc)
			if err != nil || to.Before(v.from) {
				return bad(at("effective_to"), fmt.Sprintf("%q is not a date on or after effective_from", v.EffectiveTo))
			}
			v.to = to.AddDate(0, 0, 1) // the whole last day
		}
		if i > 0 && v.from.Before(j.Versions[i-1].to) {
			return bad(at("effective_from"), "overlaps the previous version")
		}
		for k, set := range map[string][][]string{"pi.with_name": v.PI.WithName, "pi.without_name": v.PI.WithoutName} {
			for n, combo := range set {
				if len(combo) == 0 {
					return bad(at(fmt.Sprintf("%s[%d]", k, n)), "empty combination")
				}
				for _, e := range combo {
					if !knownElements[e] {
						return bad(at(fmt.Sprintf("%s[%d]", k, n)), fmt.Sprintf("unknown data element %q", e))
					}
				}
			}
		}
		if len(v.Notices) == 0 {
			return bad(at("notices"), "no notices")
		}
		if len(j.Scope.Countries) == 0 && j.Scope.Organisation == "" &&
			!slices.ContainsFunc(v.Notices, func(n NoticeRule) bool { return n.Recipient == "individuals" }) {
			return bad(at("notices"), "no notice to individuals")
		}
		for n, nr := range v.Notices {
			f := func(s string) string { return at(fmt.Sprintf("notices[%d].%s", n, s)) }
			switch nr.Recipient {
			case "individuals", "regulator", "cras":
			default:
				return bad(f("recipient"), fmt.Sprintf("%q: use individuals, regulator or cras", nr.Recipient))
			}
			if strings.TrimSpace(nr.Citation) == "" {
				return bad(f("citation"), "missing")
			}
			switch nr.Threshold.Comparison {
			case "any":
			case ">", ">=", "<":
				if nr.Threshold.Count <= 0 {
					return bad(f("threshold.count"), "a positive number is required with >, >= or <")
				}
			default:
				return bad(f("threshold.comparison"), fmt.Sprintf("%q: use >, >=, < or any", nr.Threshold.Comparison))
			}
			if err := nr.Deadline.validate(); err != "" {
				return bad(f("deadline"), err)
			}
			if nr.Recipient == "individuals" && nr.Deadline.From == "individual_notice" {
				return bad(f("deadline.from"), "the notice to individuals cannot count from itself")
			}
		}
	}
	return nil
}

func (d DeadlineRule) validate() string {
	switch d.Kind {
	case "days", "after_year_end":
		if d.N <= 0 {
			return d.Kind + " needs n > 0"
		}
		if d.Kind == "after_year_end" {
			break
		}
		if d.DayType != "calendar" && d.DayType != "business" {
			return fmt.Sprintf("day_type %q: use calendar or business", d.DayType)
		}
	case "hours":
		if d.N <= 0 {
			return "hours needs n > 0"
		}
	case "unreasonable_delay", "with_individuals", "before_individuals":
		return ""
	default:
		return fmt.Sprintf("kind %q: use days, hours, unreasonable_delay, with_individuals or before_individuals", d.Kind)
	}
	switch d.From {
	case "discovery", "determination", "materiality", "individual_notice":
	default:
		return fmt.Sprintf("from %q: use discovery, determination, materiality or individual_notice", d.From)
	}
	return ""
}

// Codes lists the jurisdictions, sorted.
func (r *Rules) Codes() []string { return r.codes }

// Get returns a jurisdiction's rules.
func (r *Rules) Get(code string) (*Jurisdiction, bool) {
	j, ok := r.byCode[code]
	return j, ok
}

// At returns the version in force at t, or false when none was.
func (j *Jurisdiction) At(t time.Time) (*Version, bool) {
	for i := range j.Versions {
		v := &j.Versions[i]
		if !t.Before(v.from) && t.Before(v.to) {
			return v, true
		}
	}
	return nil, false
}

// Location is the zone day counts of the jurisdiction use.
func (j *Jurisdiction) Location() *time.Location { return j.loc }

// OldestReview is the earliest last-reviewed date over all rules.
func (r *Rules) OldestReview() string {
	oldest := ""
	for _, c := range r.codes {
		if d := r.byCode[c].LastReviewed; oldest == "" || d < oldest {
			oldest = d
		}
	}
	return oldest
}

func comma(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
