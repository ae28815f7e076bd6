package notify

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"breachdesk/internal/cases"
)

// Input is what the engine needs to know about a case.
type Input struct {
	Facts cases.Facts
	// States are the case's residents by USPS code.
	States map[string]int64
	// Countries are residents of other countries by ISO code.
	Countries map[string]int64
	// Total is every affected person, counted once.
	Total int64
	// Org says which kinds of organisation this one is (see OrgKinds);
	// a missing or nil entry is not known.
	Org map[string]*bool
	// MaterialAt is when an SEC registrant determined the incident material.
	MaterialAt *time.Time
	// InternalTargetDays is the organisation's own target for notices the
	// law only requires "without unreasonable delay" (default 30).
	InternalTargetDays int
	// IndividualNoticeSent holds, by jurisdiction, when the notice to
	// individuals went out, for deadlines that count from it.
	IndividualNoticeSent map[string]time.Time
}

// Status of an obligation.
const (
	Triggered    = "triggered"
	NotTriggered = "not_triggered"
	NeedsFacts   = "needs_facts"
)

// StatusLabel names an obligation's status for people.
func StatusLabel(status string) string {
	switch status {
	case Triggered:
		return "Required"
	case NotTriggered:
		return "Not required"
	case NeedsFacts:
		return "Needs facts"
	}
	return status
}

// Obligation is one notice a jurisdiction's law requires, or why it does
// not, with the reasons in plain words and the statute behind them.
type Obligation struct {
	Jurisdiction     string     `json:"jurisdiction"`
	JurisdictionName string     `json:"jurisdiction_name"`
	Recipient        string     `json:"recipient"`
	To               string     `json:"to,omitempty"`
	Status           string     `json:"status"`
	Residents        int64      `json:"residents"`
	Due              *time.Time `json:"due,omitempty"`
	// DueText is the statute's words, for deadlines with no fixed time.
	DueText string `json:"due_text"`
	// Projected is set when the deadline hangs on a milestone not reached
	// yet (the notice to individuals), assumed to happen on its own deadline.
	Projected      bool       `json:"projected,omitempty"`
	InternalTarget *time.Time `json:"internal_target,omitempty"`
	Zone           string     `json:"zone"`
	Reasons        []string   `json:"reasons"`
	Needs          []string   `json:"needs,omitempty"`
	Citation       string     `json:"citation"`
	RuleVersion    string     `json:"rule_version"`
	Method         string     `json:"method,omitempty"`
}

// Triggered reports whether the notice is required on the facts known.
func (o Obligation) Triggered() bool { return o.Status == Triggered }

// Unruled counts residents of a jurisdiction the rules do not cover.
type Unruled struct {
	Jurisdiction string `json:"jurisdiction"`
	Residents    int64  `json:"residents"`
	Reason       string `json:"reason"`
}

// Outcome is the engine's answer for a case.
type Outcome struct {
	Obligations []Obligation `json:"obligations"`
	Unruled     []Unruled    `json:"unruled"`
	// RulesReviewed is the oldest last-reviewed date of the rules used.
	RulesReviewed string `json:"rules_reviewed"`
}

// ErrNoDiscovery: a case without a discovery time has no clocks.
var ErrNoDiscovery = errors.New("the case has no discovery time, so no deadline can be computed")

var recipientLabels = map[string]string{"individuals": "notice to affected residents", "regulator": "notice to", "cras": "notice to the consumer reporting agencies"}

// Evaluate works out every obligation of the case under the rules in force
// at its discovery time. It is pure: the same input and rules give the same
// outcome. Obligations come sorted by deadline (those without one last),
// then jurisdiction and recipient.
func Evaluate(in Input, r *Rules) (Outcome, error) {
	f := in.Facts
	if f.DiscoveredAt.IsZero() {
		return Outcome{}, ErrNoDiscovery
	}
	if in.InternalTargetDays <= 0 {
		in.InternalTargetDays = 30
	}
	out := Outcome{Obligations: []Obligation{}, Unruled: []Unruled{}}
	codes := make([]string, 0, len(in.States))
	for code, n := range in.States {
		if n > 0 {
			if j, ok := r.Get(code); ok && (len(j.Scope.Countries) > 0 || j.Scope.Organisation != "") {
				continue // not a place
			}
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	reviewed := ""
	for _, code := range codes {
		n := in.States[code]
		j, ok := r.Get(code)
		if !ok {
			out.Unruled = append(out.Unruled, Unruled{Jurisdiction: code, Residents: n,
				Reason: "no breach-notification rule for this jurisdiction is on file; counsel must decide"})
			continue
		}
		v, ok := j.At(f.DiscoveredAt)
		if !ok {
			out.Unruled = append(out.Unruled, Unruled{Jurisdiction: code, Residents: n,
				Reason: "no rule on file was in force at the discovery time"})
			continue
		}
		if reviewed == "" || j.LastReviewed < reviewed {
			reviewed = j.LastReviewed
		}
		out.Obligations = append(out.Obligations, evaluateJurisdiction(in, j, v, n)...)
	}
	// Laws that reach the case through other countries' residents or the
	// kind of organisation.
	for _, code := range r.Codes() {
		j, _ := r.Get(code)
		if len(j.Scope.Countries) == 0 && j.Scope.Organisation == "" {
			continue
		}
		v, ok := j.At(f.DiscoveredAt)
		if !ok {
			continue
		}
		var n int64
		var why, orgNeed string
		switch {
		case len(j.Scope.Countries) > 0:
			for _, c := range j.Scope.Countries {
				n += in.Countries[c]
			}
			why = fmt.Sprintf("%s: %s affected people live in countries this law covers", j.Code, comma(n))
		default:
			flag, known := in.Org[j.Scope.Organisation]
			switch {
			case !known || flag == nil:
				orgNeed = orgQuestion(j.Scope.Organisation)
			case !*flag:
				continue // the organisation is not of this kind
			}
			n = in.Total
			why = fmt.Sprintf("%s: applies to the organisation; %s affected people", j.Code, comma(n))
		}
		if n == 0 {
			continue
		}
		if reviewed == "" || j.LastReviewed < reviewed {
			reviewed = j.LastReviewed
		}
		obs := evaluateJurisdiction(in, j, v, n)
		for i := range obs {
			obs[i].Reasons[0] = why
			if orgNeed != "" && obs[i].Status != NotTriggered {
				obs[i].Status = NeedsFacts
				obs[i].Needs = append([]string{orgNeed}, obs[i].Needs...)
			}
		}
		out.Obligations = append(out.Obligations, obs...)
	}
	out.RulesReviewed = reviewed
	sort.SliceStable(out.Obligations, func(a, b int) bool { return dueFirst(out.Obligations[a], out.Obligations[b]) })
	return out, nil
}

// dueFirst orders obligations by deadline (those without one last), then
// jurisdiction, then recipient.
func dueFirst(x, y Obligation) bool {
	switch {
	case x.Due != nil && y.Due != nil && !x.Due.Equal(*y.Due):
		return x.Due.Before(*y.Due)
	case (x.Due == nil) != (y.Due == nil):
		return x.Due != nil
	case x.Jurisdiction != y.Jurisdiction:
		return x.Jurisdiction < y.Jurisdiction
	}
	return recipientOrder(x.Recipient) < recipientOrder(y.Recipient)
}

func recipientOrder(r string) int {
	return map[string]int{"individuals": 0, "regulator": 1, "cras": 2}[r]
}

// coverage says whether the exposed elements are personal information
// under v, and names the combination that made it so.
func coverage(v *Version, exposed []string) (covered bool, why string) {
	has := func(combo []string) bool {
		for _, e := range combo {
			if !slices.Contains(exposed, e) {
				return false
			}
		}
		return true
	}
	label := func(combo []string) string {
		parts := make([]string, len(combo))
		for i, e := range combo {
			parts[i] = cases.Label(cases.DataElements, e)
		}
		return strings.Join(parts, " with ")
	}
	for _, c := range v.PI.WithoutName {
		if has(c) {
			return true, label(c) + " exposed (covered even without a name)"
		}
	}
	if slices.Contains(exposed, "name") {
		for _, c := range v.PI.WithName {
			if has(c) {
				return true, "name and " + label(c) + " exposed"
			}
		}
	}
	return false, ""
}

func evaluateJurisdiction(in Input, j *Jurisdiction, v *Version, residents int64) []Obligation {
	f := in.Facts
	base := func(n NoticeRule) Obligation {
		return Obligation{Jurisdiction: j.Code, JurisdictionName: j.Name, Recipient: n.Recipient, To: n.To, Residents: residents,
			Zone: j.Zone, Citation: n.Citation, RuleVersion: v.EffectiveFrom, Method: n.Method, DueText: n.Deadline.Text,
			Reasons: []string{fmt.Sprintf("%s: %s residents affected", j.Code, comma(residents))}}
	}
	// Is it a notifiable breach in this jurisdiction at all?
	var blockers, needs, because []string
	if covered, why := coverage(v, f.DataElements); covered {
		because = append(because, why)
	} else {
		exposed := "no data elements recorded"
		if len(f.DataElements) > 0 {
			labels := make([]string, len(f.DataElements))
			for i, e := range f.DataElements {
				labels[i] = cases.Label(cases.DataElements, e)
			}
			exposed = "exposed: " + strings.Join(labels, ", ")
		}
		blockers = append(blockers, "no element the law covers was exposed ("+exposed+")")
	}
	if v.EncryptionSafeHarbor {
		switch {
		case f.Encrypted == nil:
			needs = append(needs, "whether the data was encrypted")
		case !*f.Encrypted:
			because = append(because, "not encrypted")
		case v.KeyCompromiseVoids && f.KeyCompromised == nil:
			needs = append(needs, "whether the encryption key was compromised too")
		case v.KeyCompromiseVoids && *f.KeyCompromised:
			because = append(because, "encrypted, but the key was compromised too")
		default:
			blockers = append(blockers, "the data was encrypted and the key was not compromised (encryption safe harbor)")
		}
	}
	if v.RiskOfHarm.Available {
		switch {
		case f.HarmFound == nil:
			because = append(because, "no documented risk-of-harm determination yet (a documented finding that harm is unlikely would remove this duty)")
		case !*f.HarmFound:
			msg := "a documented risk-of-harm determination found harm unlikely"
			if v.RiskOfHarm.RegulatorGetsDetermination {
				msg += "; the determination must be sent to the regulator"
			}
			blockers = append(blockers, msg)
		default:
			because = append(because, "risk of harm found")
		}
	}
	var out []Obligation
	indDue, indProjected := in.individualDue(j, v)
	for _, n := range v.Notices {
		o := base(n)
		o.Reasons = append(o.Reasons, because...)
		switch {
		case len(blockers) > 0:
			o.Status = NotTriggered
			o.Reasons = append(o.Reasons, blockers...)
		case !n.Threshold.Met(residents):
			o.Status = NotTriggered
			o.Reasons = append(o.Reasons, fmt.Sprintf("%s residents is outside the threshold (%s)", comma(residents), n.Threshold))
		case n.NeedsHighRisk && f.HarmFound != nil && !*f.HarmFound:
			o.Status = NotTriggered
			o.Reasons = append(o.Reasons, "the breach is not likely to result in a high risk to individuals")
		case n.NeedsHighRisk && f.HarmFound == nil:
			o.Status = NeedsFacts
			o.Needs = append(append([]string{}, needs...), "whether the breach is likely to result in a high risk to individuals")
		case len(needs) > 0:
			o.Status = NeedsFacts
			o.Needs = needs
		default:
			o.Status = Triggered
			if n.Threshold.Comparison != "any" {
				o.Reasons = append(o.Reasons, fmt.Sprintf("%s residents meets the threshold (%s)", comma(residents), n.Threshold))
			}
		}
		if o.Status != NotTriggered {
			in.deadline(&o, j, v, n.Deadline, indDue, indProjected)
			o.Reasons = append(o.Reasons, fmt.Sprintf("→ %s %s %s (%s)", recipientLabels[n.Recipient], o.To, dueWords(o), n.Citation))
		} else {
			o.Reasons = append(o.Reasons, fmt.Sprintf("→ no %s %s required (%s)", recipientLabels[n.Recipient], o.To, n.Citation))
		}
		o.To = strings.TrimSpace(o.To)
		out = append(out, o)
	}
	return out
}

func orgQuestion(key string) string {
	for _, k := range OrgKinds {
		if k.Key == key {
			return strings.ToLower(k.Question[:1]) + strings.TrimSuffix(k.Question[1:], "?")
		}
	}
	return key
}

// anchor is the instant a deadline counts from.
func (in Input) anchor(from string) (time.Time, string) {
	if from == "materiality" {
		if in.MaterialAt != nil {
			return *in.MaterialAt, ""
		}
		return in.Facts.DiscoveredAt, "when the incident was determined to be material (the deadline counts from discovery until then)"
	}
	if from == "determination" {
		if in.Facts.DeterminedAt != nil {
			return *in.Facts.DeterminedAt, ""
		}
		return in.Facts.DiscoveredAt, "when the breach was determined (the deadline counts from discovery until then)"
	}
	return in.Facts.DiscoveredAt, ""
}

// pause returns how long a documented law-enforcement delay stops a clock
// that started at anchor.
func (in Input) pause(anchor time.Time, v *Version) time.Duration {
	f := in.Facts
	if !v.LEDelayPauses || f.LEUntil == nil || !f.LEUntil.After(anchor) {
		return 0
	}
	start := anchor
	if f.LERequestedOn != nil && f.LERequestedOn.After(anchor) {
		start = *f.LERequestedOn
	}
	return f.LEUntil.Sub(start)
}

// individualDue is the deadline of the notice to individuals in j (or the
// sent time, once sent), for notices that count from it.
func (in Input) individualDue(j *Jurisdiction, v *Version) (time.Time, bool) {
	if sent, ok := in.IndividualNoticeSent[j.Code]; ok {
		return sent, false
	}
	for _, n := range v.Notices {
		if n.Recipient != "individuals" {
			continue
		}
		var o Obligation
		in.deadline(&o, j, v, n.Deadline, time.Time{}, false)
		if o.Due != nil {
			return *o.Due, true
		}
		return *o.InternalTarget, true
	}
	return in.Facts.DiscoveredAt, true
}

func (in Input) deadline(o *Obligation, j *Jurisdiction, v *Version, d DeadlineRule, indDue time.Time, indProjected bool) {
	loc := j.Location()
	switch d.Kind {
	case "days", "hours":
		var anchor time.Time
		if d.From == "individual_notice" {
			anchor, o.Projected = indDue, indProjected
		} else {
			var need string
			anchor, need = in.anchor(d.From)
			if need != "" {
				o.Needs = append(o.Needs, need)
			}
			if p := in.pause(anchor, v); p > 0 {
				anchor = anchor.Add(p)
				o.Reasons = append(o.Reasons, fmt.Sprintf("clock paused %s for the documented law-enforcement delay", roundDays(p)))
			}
		}
		var due time.Time
		if d.Kind == "hours" {
			due = anchor.Add(time.Duration(d.N) * time.Hour)
		} else {
			due = addDays(anchor, d.N, d.DayType == "business", loc)
		}
		due = due.In(loc)
		o.Due = &due
	case "after_year_end":
		anchor, _ := in.anchor(d.From)
		a := anchor.In(loc)
		yearEnd := time.Date(a.Year(), 12, 31, 12, 0, 0, 0, loc)
		due := addDays(yearEnd, d.N, false, loc)
		o.Due = &due
	case "with_individuals", "before_individuals":
		due := indDue.In(loc)
		o.Due, o.Projected = &due, indProjected
	default: // unreasonable_delay
		anchor, _ := in.anchor("discovery")
		anchor = anchor.Add(in.pause(anchor, v))
		t := addDays(anchor, in.InternalTargetDays, false, loc)
		o.InternalTarget = &t
	}
}

func dueWords(o Obligation) string {
	switch {
	case o.Due != nil && o.Projected:
		return "due " + o.DueText + " (projected " + o.Due.Format("2006-01-02 15:04 MST") + ")"
	case o.Due != nil:
		return "due by " + o.Due.Format("2006-01-02 15:04 MST") + " (" + o.DueText + ")"
	}
	return "due " + o.DueText
}

func roundDays(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}
