package web

import (
	"net/http"
	"time"

	"breachdesk/templates"
)

func (s *Server) casesList(w http.ResponseWriter, r *http.Request) error {
	items, err := s.cases.ListOpen(r.Context(), 200)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.CasesPage(s.base(r, "Cases", "cases"), items, time.Now()))
}
