package web

import (
	"net/http"
	"time"

	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func (s *Server) casesList(w http.ResponseWriter, r *http.Request) error {
	page, err := s.cases.List(r.Context(), cases.ListFilter{})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.CasesPage(s.base(r, "Cases", "cases"), page.Items, time.Now()))
}
