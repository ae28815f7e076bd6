package web

import (
	"net/http"

	"breachdesk/templates"
)

func (s *Server) casesList(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, templates.CasesPage(s.base(r, "Cases", "cases")))
}
