package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"breachdesk/internal/cases"
)

// timeFlag is an RFC 3339 time; an empty value means "not known".
type timeFlag struct{ t **time.Time }

func (f timeFlag) String() string { return "" }
func (f timeFlag) Set(s string) error {
	if s == "" {
		*f.t = nil
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want a time such as 2026-11-27T14:30:00-05:00 (RFC 3339 with its zone)")
	}
	*f.t = &t
	return nil
}

// triFlag is yes, no or unknown; a bare --flag means yes.
type triFlag struct{ b **bool }

func (f triFlag) String() string   { return "" }
func (f triFlag) IsBoolFlag() bool { return true }
func (f triFlag) Set(s string) error {
	if s == "unknown" || s == "" {
		*f.b = nil
		return nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true, false or unknown")
	}
	*f.b = &v
	return nil
}

// listFlag is a comma-separated list.
type listFlag struct{ l *[]string }

func (f listFlag) String() string { return "" }
func (f listFlag) Set(s string) error {
	*f.l = []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*f.l = append(*f.l, v)
		}
	}
	return nil
}

// factFlags registers a flag for every breach fact on fs, writing into f.
// owner receives --owner (an e-mail), resolved by the caller.
func factFlags(fs *flag.FlagSet, f *cases.Facts, owner *string) {
	fs.StringVar(&f.Title, "title", f.Title, "short title")
	fs.StringVar(&f.Summary, "summary", f.Summary, "what happened")
	fs.StringVar(&f.Severity, "severity", f.Severity, "low, medium, high or critical")
	fs.StringVar(owner, "owner", *owner, "e-mail of the owner (default: the --as user)")
	discovered := &f.DiscoveredAt
	fs.Func("discovered", "when the company became aware (RFC 3339)", func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("want a time such as 2026-11-27T14:30:00-05:00 (RFC 3339 with its zone)")
		}
		*discovered = t
		return nil
	})
	fs.Var(timeFlag{&f.OccurredFrom}, "occurred-from", "start of the breach window (RFC 3339)")
	fs.Var(timeFlag{&f.OccurredTo}, "occurred-to", "end of the breach window (RFC 3339)")
	fs.Var(timeFlag{&f.DeterminedAt}, "determined", "when personal data was confirmed involved (RFC 3339)")
	fs.Var(timeFlag{&f.ContainedAt}, "contained", "when the breach was contained (RFC 3339)")
	fs.Var(timeFlag{&f.MaterialAt}, "material", "when the incident was determined material, for SEC registrants (RFC 3339)")
	fs.Var(listFlag{&f.AffectedSystems}, "systems", "affected systems, comma-separated: "+values(cases.Systems))
	fs.StringVar(&f.AttackVector, "vector", f.AttackVector, "attack vector: "+values(cases.Vectors))
	fs.Var(listFlag{&f.DataElements}, "elements", "exposed data elements, comma-separated: "+values(cases.DataElements))
	fs.Var(triFlag{&f.Encrypted}, "encrypted", "the data was encrypted (true, false, unknown)")
	fs.Var(triFlag{&f.KeyCompromised}, "key-compromised", "the encryption key was compromised too")
	fs.Var(triFlag{&f.Acquired}, "acquired", "the data was acquired, not only accessed")
	fs.Var(triFlag{&f.HarmFound}, "harm-found", "risk-of-harm determination: harm is likely")
	fs.StringVar(&f.HarmText, "harm-text", f.HarmText, "the documented risk-of-harm determination")
	fs.StringVar(&f.LEAgency, "le-agency", f.LEAgency, "law-enforcement agency that asked for a delay")
	fs.Var(timeFlag{&f.LERequestedOn}, "le-requested", "when the delay was requested (RFC 3339)")
	fs.Var(timeFlag{&f.LEUntil}, "le-until", "until when notification is delayed (RFC 3339)")
	fs.StringVar(&f.LEReference, "le-reference", f.LEReference, "reference of the agency's letter")
}

func values(opts []cases.Option) string {
	v := make([]string, len(opts))
	for i, o := range opts {
		v[i] = o.Value
	}
	return strings.Join(v, ", ")
}
