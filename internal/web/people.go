package web

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
	"breachdesk/templates"
)

var timeNow = time.Now

func newCSVWriter(w io.Writer) *csv.Writer { return csv.NewWriter(w) }

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPeople(w, r, http.StatusOK, nil, templates.Form{})
}

func (s *Server) renderPeople(w http.ResponseWriter, r *http.Request, status int, revealed *residents.Resident, f templates.Form) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := residents.PeopleFilter{Jurisdiction: strings.TrimSpace(q.Get("jurisdiction")), ConflictOnly: q.Get("conflict") != ""}
	if j := filter.Jurisdiction; j != "intl" && j != "unknown" {
		filter.Jurisdiction = strings.ToUpper(j)
	}
	filter.Page, _ = strconv.Atoi(q.Get("page"))
	filter.ImportID, _ = strconv.ParseInt(q.Get("import"), 10, 64)
	page, err := s.people.People(r.Context(), c.ID, filter)
	if err != nil {
		return err
	}
	q.Del("page")
	return render(w, r, status, templates.PeoplePage(s.base(r, "People "+c.Reference, "cases"), templates.PeopleView{
		Case: c, Page: page, Query: q, CanReveal: currentUser(r).Can(auth.ActEditCases), Revealed: revealed, Form: f,
	}))
}

// peopleReveal shows one person in clear, once, after recording who asked
// and why on the case timeline.
func (s *Server) peopleReveal(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "import", "line", "reason")
	if err != nil {
		return err
	}
	imp, _ := strconv.ParseInt(f.Get("import"), 10, 64)
	line, _ := strconv.ParseInt(f.Get("line"), 10, 64)
	person, err := s.people.Reveal(r.Context(), actor(r), c.ID, imp, line, f.Get("reason"))
	var v *cases.ValidationError
	switch {
	case errors.As(err, &v):
		return s.renderPeople(w, r, http.StatusUnprocessableEntity, nil, templates.Form{Message: "Give a reason to reveal a person: " + v.Fields["reason"]})
	case err != nil:
		return err // not found included
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderPeople(w, r, http.StatusOK, &person, templates.Form{})
}

// peopleConflicts settles conflicts: all of the case's, or the one named
// by "ref" (import:line).
func (s *Server) peopleConflicts(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "choice", "ref")
	if err != nil {
		return err
	}
	var refs [][2]int64
	if ref := f.Get("ref"); ref != "" {
		a, b, _ := strings.Cut(ref, ":")
		imp, err1 := strconv.ParseInt(a, 10, 64)
		line, err2 := strconv.ParseInt(b, 10, 64)
		if err1 != nil || err2 != nil {
			return errBadRequest
		}
		refs = append(refs, [2]int64{imp, line})
	}
	n, err := s.people.ResolveConflicts(r.Context(), actor(r), c.ID, f.Get("choice"), refs)
	var v *cases.ValidationError
	if errors.As(err, &v) {
		return s.renderResidents(w, r, http.StatusUnprocessableEntity, templates.Form{Message: v.Fields["choice"]})
	}
	if err != nil {
		return err
	}
	target := "/cases/" + c.Reference + "/residents"
	if len(refs) > 0 {
		target += "/people?conflict=1"
	}
	return s.redirect(w, r, target, strconv.FormatInt(n, 10)+" conflicts settled; the counts are rebuilt.")
}
