// Package cases holds breach cases: their facts and time anchors, their
// clocks, the remediation tasks from a playbook, and the append-only,
// hash-chained timeline of everything that happened to them. It knows
// nothing of HTTP.
package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"breachdesk/internal/validation"
)

// Errors returned by this package; compare with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	// ErrStale: the record changed since the caller read it.
	ErrStale = errors.New("the case was changed by someone else since you loaded it")
	// ErrClosed: the case is closed and read-only until reopened.
	ErrClosed = errors.New("the case is closed; reopen it to change it")
)

// ValidationError lists bad input field by field.
type ValidationError = validation.Error

// Option is a value of a fixed list with its label.
type Option struct{ Value, Label string }

// Fixed lists of the breach facts.
var (
	Severities = []Option{{"low", "Low"}, {"medium", "Medium"}, {"high", "High"}, {"critical", "Critical"}}
	Statuses   = []Option{{"triage", "Triage"}, {"investigating", "Investigating"}, {"contained", "Contained"},
		{"notifying", "Notifying"}, {"closed", "Closed"}}
	Systems = []Option{
		{"salesforce", "Salesforce org"}, {"ecommerce_db", "E-commerce database"},
		{"middleware", "Integration middleware"}, {"marketing_automation", "Marketing automation"},
		{"customer_service", "Customer service tool"}, {"other", "Other"},
	}
	Vectors = []Option{
		{"oauth_token_misuse", "OAuth token misuse"},
		{"hardcoded_credentials", "Hard-coded integration credentials"},
		{"bulk_api_unencrypted", "Bulk API or Data Loader job without encryption"},
		{"permission_set_misconfig", "Permission-set misconfiguration"},
		{"checkout_payment_custom_objects", "Checkout writing payment data to custom objects"},
		{"unmapped_third_party_flow", "Unmapped third-party data flow"},
		{"other", "Other"},
	}
	// DataElements are the kinds of personal data a breach can expose; the
	// rules engine keys on these values.
	DataElements = []Option{
		{"name", "Name"}, {"ssn", "Social Security number"},
		{"drivers_license", "Driver's licence or state ID"}, {"passport", "Passport number"},
		{"taxpayer_id", "Taxpayer ID"}, {"financial_account", "Financial account number"},
		{"payment_card", "Payment card number"}, {"access_code", "Account access code or PIN"},
		{"credentials", "Username or e-mail with password or security Q&A"},
		{"medical", "Medical information"}, {"health_insurance", "Health insurance information"},
		{"biometric", "Biometric data"}, {"date_of_birth", "Date of birth"},
		{"email", "E-mail address"}, {"phone", "Phone number"}, {"postal_address", "Postal address"},
	}
)

// Label returns the label of value in opts, or value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func valid(opts []Option, v string) bool {
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Value == v })
}

// Facts are the parts of a case people enter and change. Pointers and
// nullable booleans are "not known yet" when nil.
type Facts struct {
	Title        string
	Summary      string
	Severity     string
	OwnerID      int64
	OccurredFrom *time.Time
	OccurredTo   *time.Time
	DiscoveredAt time.Time
	DeterminedAt *time.Time
	ContainedAt  *time.Time
	// MaterialAt is when an SEC registrant determined the incident material.
	MaterialAt      *time.Time
	AffectedSystems []string
	AttackVector    string
	DataElements    []string
	Encrypted       *bool
	KeyCompromised  *bool
	Acquired        *bool
	HarmFound       *bool
	HarmText        string
	LEAgency        string
	LERequestedOn   *time.Time // a date
	LEUntil         *time.Time
	LEReference     string
}

// Case is a breach case as stored.
type Case struct {
	ID        int64
	Reference string
	Status    string
	Facts
	OwnerName         string
	PrimaryClockHours int
	PlaybookID        *int64
	Version           int
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// YesNo writes a yes/no fact as "yes" or "no", and an unknown one as "".
func YesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
}

// Closed reports whether the case is read-only.
func (c Case) Closed() bool { return c.Status == "closed" }

// validate checks f against the rules every case obeys; now is the
// server's clock, so a discovery "in the future" is judged on it.
func (f *Facts) validate(now time.Time) error {
	v := map[string]string{}
	f.Title = strings.TrimSpace(f.Title)
	f.Summary = strings.TrimSpace(f.Summary)
	if f.Title == "" {
		v["title"] = "Give the case a short title."
	} else if len([]rune(f.Title)) > 200 {
		v["title"] = "Use at most 200 characters."
	}
	if !valid(Severities, f.Severity) {
		v["severity"] = "Choose low, medium, high or critical."
	}
	if f.DiscoveredAt.IsZero() {
		v["discovered_at"] = "Enter when the company became aware of the breach."
	} else if f.DiscoveredAt.After(now.Add(time.Minute)) {
		v["discovered_at"] = "The discovery time is in the future; enter when the company actually became aware."
	}
	if f.OccurredFrom != nil && f.OccurredTo != nil && f.OccurredTo.Before(*f.OccurredFrom) {
		v["occurred_to"] = "The end of the breach window is before its start."
	}
	for name, t := range map[string]*time.Time{"occurred_from": f.OccurredFrom, "occurred_to": f.OccurredTo, "determined_at": f.DeterminedAt,
		"contained_at": f.ContainedAt, "material_at": f.MaterialAt} {
		if t != nil && t.After(now.Add(time.Minute)) {
			v[name] = "This time is in the future."
		}
	}
	if f.DeterminedAt != nil && !f.DiscoveredAt.IsZero() && f.DeterminedAt.Before(f.DiscoveredAt) {
		v["determined_at"] = "Personal data cannot be confirmed as involved before the breach was discovered."
	}
	for _, s := range f.AffectedSystems {
		if !valid(Systems, s) {
			v["affected_systems"] = fmt.Sprintf("Unknown system %q.", s)
		}
	}
	if f.AttackVector != "" && !valid(Vectors, f.AttackVector) {
		v["attack_vector"] = fmt.Sprintf("Unknown attack vector %q.", f.AttackVector)
	}
	for _, e := range f.DataElements {
		if !valid(DataElements, e) {
			v["data_elements"] = fmt.Sprintf("Unknown data element %q; use one of the listed elements.", e)
		}
	}
	if f.KeyCompromised != nil && *f.KeyCompromised && f.Encrypted != nil && !*f.Encrypted {
		v["key_compromised"] = "A key can only be compromised if the data was encrypted."
	}
	if f.HarmFound != nil && strings.TrimSpace(f.HarmText) == "" {
		v["harm_text"] = "Document the risk-of-harm determination: who decided, on what grounds."
	}
	if f.LEUntil != nil && f.LEAgency == "" {
		v["le_agency"] = "Name the law-enforcement agency that asked for the delay."
	}
	f.AffectedSystems = dedupe(f.AffectedSystems)
	f.DataElements = dedupe(f.DataElements)
	if len(v) > 0 {
		return &ValidationError{Fields: v}
	}
	return nil
}

func dedupe(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return slices.Compact(out)
}
