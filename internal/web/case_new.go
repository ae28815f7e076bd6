package web

import (
	"net/http"

	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func (s *Server) caseNew(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	f := factsForm(cases.Facts{Severity: "high", OwnerID: u.ID}, u.Location())
	f.Values["playbook"] = cases.DefaultPlaybook
	f.Values["discovered_at"] = ""
	return s.renderCaseForm(w, r, http.StatusOK, templates.CaseFormView{Form: f})
}

func (s *Server) renderCaseForm(w http.ResponseWriter, r *http.Request, status int, v templates.CaseFormView) error {
	var err error
	if v.Owners, err = s.editors(r); err != nil {
		return err
	}
	if v.Reference == "" {
		if v.Playbooks, err = s.cases.Playbooks(r.Context()); err != nil {
			return err
		}
	}
	title := "Open a case"
	if v.Reference != "" {
		title = "Edit " + v.Reference
	}
	return render(w, r, status, templates.CaseForm(s.base(r, title, "cases"), v))
}

func (s *Server) caseCreate(w http.ResponseWriter, r *http.Request) error {
	f, facts, err := decodeCaseForm(w, r)
	if err != nil {
		return err
	}
	if len(f.Errors) == 0 {
		var c cases.Case
		c, err = s.cases.Open(r.Context(), actor(r), cases.NewCase{Facts: facts, Playbook: f.Get("playbook")})
		if err == nil {
			return s.redirect(w, r, "/cases/"+c.Reference, "Case "+c.Reference+" is open; its clocks are running.")
		}
		if !fieldErrors(&f, err) {
			return err
		}
	}
	f.Message = "The case was not opened. Correct the fields marked below."
	return s.renderCaseForm(w, r, http.StatusUnprocessableEntity, templates.CaseFormView{Form: f})
}
