package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func caseRef(r *http.Request) string { return strings.ToUpper(chi.URLParam(r, "ref")) }

func (s *Server) caseEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases.Get(r.Context(), caseRef(r))
	if err != nil {
		return err
	}
	if c.Closed() {
		return cases.ErrClosed
	}
	return s.renderCaseForm(w, r, http.StatusOK, templates.CaseFormView{
		Form: factsForm(c.Facts, currentUser(r).Location()), Reference: c.Reference, Version: c.Version,
	})
}

// caseUpdate saves the edit form. A stale form is refused and re-rendered
// with the current values, so nothing anyone typed overwrites a newer
// change unseen.
func (s *Server) caseUpdate(w http.ResponseWriter, r *http.Request) error {
	ref := caseRef(r)
	f, facts, err := decodeCaseForm(w, r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if len(f.Errors) == 0 {
		_, err = s.cases.Update(r.Context(), actor(r), ref, version, facts, f.Get("reason"))
		switch {
		case err == nil:
			return s.redirect(w, r, "/cases/"+ref, "Changes saved and recorded on the timeline.")
		case errors.Is(err, cases.ErrStale):
			c, err := s.cases.Get(r.Context(), ref)
			if err != nil {
				return err
			}
			return s.renderCaseForm(w, r, http.StatusConflict, templates.CaseFormView{
				Form: factsForm(c.Facts, currentUser(r).Location()), Reference: ref, Version: c.Version, Stale: true,
			})
		case !fieldErrors(&f, err):
			return err
		}
	}
	f.Message = "Nothing was saved. Correct the fields marked below."
	return s.renderCaseForm(w, r, http.StatusUnprocessableEntity, templates.CaseFormView{Form: f, Reference: ref, Version: version})
}
