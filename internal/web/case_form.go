package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/templates"
)

// caseFormFields are the single-valued fields of the case form.
var caseFormFields = []string{"title", "summary", "severity", "owner", "playbook", "zone", "discovered_at",
	"occurred_from", "occurred_to", "determined_at", "contained_at", "material_at", "vector", "encrypted", "key_compromised",
	"acquired", "harm_found", "harm_text", "le_agency", "le_requested_on", "le_until", "le_reference", "reason", "version"}

// formField maps a domain field name to the form field that shows its error.
var formField = map[string]string{"affected_systems": "systems", "attack_vector": "vector", "data_elements": "elements"}

const (
	localLayout = "2006-01-02T15:04"
	dateLayout  = "2006-01-02"
)

// decodeCaseForm reads the case form into facts. Times are read in the
// zone the form names. Unreadable values are reported in f.Errors; the
// caller re-renders the form when there are any.
func decodeCaseForm(w http.ResponseWriter, r *http.Request) (templates.Form, cases.Facts, error) {
	f, err := parseForm(w, r, caseFormFields...)
	if err != nil {
		return f, cases.Facts{}, err
	}
	f.Multi = map[string][]string{"systems": r.PostForm["systems"], "elements": r.PostForm["elements"]}
	loc, zerr := time.LoadLocation(f.Get("zone"))
	if zerr != nil || f.Get("zone") == "" || f.Get("zone") == "Local" {
		f.Errors["zone"] = "Enter a time zone name such as America/New_York or UTC."
		loc = time.UTC
	}
	at := func(name string, layout string) *time.Time {
		v := f.Get(name)
		if v == "" {
			return nil
		}
		t, err := time.ParseInLocation(layout, v, loc)
		if err != nil && layout == localLayout {
			t, err = time.ParseInLocation(localLayout+":05", v, loc)
		}
		if err != nil {
			f.Errors[name] = "Enter a date and time (" + strings.ReplaceAll(layout, "T", " ") + ")."
			return nil
		}
		return &t
	}
	tri := func(name string) *bool {
		switch f.Get(name) {
		case "yes":
			b := true
			return &b
		case "no":
			b := false
			return &b
		}
		return nil
	}
	facts := cases.Facts{
		Title: f.Get("title"), Summary: f.Get("summary"), Severity: f.Get("severity"),
		OccurredFrom: at("occurred_from", localLayout), OccurredTo: at("occurred_to", localLayout),
		DeterminedAt: at("determined_at", localLayout), ContainedAt: at("contained_at", localLayout),
		MaterialAt:      at("material_at", localLayout),
		AffectedSystems: f.Multi["systems"], AttackVector: f.Get("vector"), DataElements: f.Multi["elements"],
		Encrypted: tri("encrypted"), KeyCompromised: tri("key_compromised"), Acquired: tri("acquired"),
		HarmFound: tri("harm_found"), HarmText: f.Get("harm_text"),
		LEAgency: f.Get("le_agency"), LERequestedOn: at("le_requested_on", dateLayout), LEUntil: at("le_until", localLayout),
		LEReference: f.Get("le_reference"),
	}
	if d := at("discovered_at", localLayout); d != nil {
		facts.DiscoveredAt = *d
	}
	if id, err := strconv.ParseInt(f.Get("owner"), 10, 64); err == nil {
		facts.OwnerID = id
	} else {
		f.Errors["owner"] = "Choose the case owner."
	}
	return f, facts, nil
}

// factsForm fills the case form from stored facts, times shown in loc.
func factsForm(c cases.Facts, loc *time.Location) templates.Form {
	local := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(localLayout)
	}
	date := ""
	if c.LERequestedOn != nil {
		date = c.LERequestedOn.Format(dateLayout)
	}
	return templates.Form{
		Values: map[string]string{
			"title": c.Title, "summary": c.Summary, "severity": c.Severity, "owner": strconv.FormatInt(c.OwnerID, 10),
			"zone": loc.String(), "discovered_at": local(&c.DiscoveredAt), "occurred_from": local(c.OccurredFrom),
			"occurred_to": local(c.OccurredTo), "determined_at": local(c.DeterminedAt), "contained_at": local(c.ContainedAt),
			"material_at": local(c.MaterialAt),
			"vector":      c.AttackVector, "encrypted": cases.YesNo(c.Encrypted), "key_compromised": cases.YesNo(c.KeyCompromised),
			"acquired": cases.YesNo(c.Acquired), "harm_found": cases.YesNo(c.HarmFound), "harm_text": c.HarmText,
			"le_agency": c.LEAgency, "le_requested_on": date, "le_until": local(c.LEUntil), "le_reference": c.LEReference,
		},
		Multi:  map[string][]string{"systems": c.AffectedSystems, "elements": c.DataElements},
		Errors: map[string]string{},
	}
}

// fieldErrors copies a domain validation error into the form; it reports
// whether err was one.
func fieldErrors(f *templates.Form, err error) bool {
	var v *cases.ValidationError
	if !errors.As(err, &v) {
		return false
	}
	for k, msg := range v.Fields {
		if alias, ok := formField[k]; ok {
			k = alias
		}
		f.Errors[k] = msg
	}
	return true
}

// editors returns the active users who may own a case.
func (s *Server) editors(r *http.Request) ([]auth.User, error) {
	all, err := s.users.List(r.Context())
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range all {
		if u.Can(auth.ActEditCases) {
			out = append(out, u)
		}
	}
	return out, nil
}

// actor is the signed-in user as the cases package records them.
func actor(r *http.Request) cases.Actor {
	u := currentUser(r)
	return cases.Actor{ID: u.ID, Email: u.Email}
}
