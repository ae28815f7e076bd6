package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func (s *Server) caseShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.cases.Get(ctx, strings.ToUpper(chi.URLParam(r, "ref")))
	if err != nil {
		return err
	}
	v := templates.CaseView{Case: c, Now: time.Now()}
	if v.Deadlines, err = s.cases.Deadlines(ctx, c); err != nil {
		return err
	}
	if v.Tasks, err = s.cases.Tasks(ctx, c.ID); err != nil {
		return err
	}
	if v.Timeline, err = s.cases.Timeline(ctx, c.ID, cases.TimelineFilter{PerPage: 50}); err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.CasePage(s.base(r, c.Reference, "cases"), v))
}
