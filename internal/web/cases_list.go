package web

import (
	"net/http"
	"strconv"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func (s *Server) casesList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	filter := cases.ListFilter{Status: q.Get("status"), Query: q.Get("q"), Overdue: q.Get("overdue") != ""}
	filter.Page, _ = strconv.Atoi(q.Get("page"))
	filter.OwnerID, _ = strconv.ParseInt(q.Get("owner"), 10, 64)
	page, err := s.cases.List(r.Context(), filter)
	if err != nil {
		if fieldErrors(&templates.Form{Errors: map[string]string{}}, err) {
			return errBadRequest
		}
		return err
	}
	owners, err := s.editors(r)
	if err != nil {
		return err
	}
	q.Del("page")
	return render(w, r, http.StatusOK, templates.CasesPage(s.base(r, "Cases", "cases"), templates.CasesView{
		Page: page, Query: q, Owners: owners, Now: time.Now(), CanEdit: currentUser(r).Can(auth.ActEditCases),
	}))
}

func (s *Server) myTasks(w http.ResponseWriter, r *http.Request) error {
	tasks, err := s.cases.MyTasks(r.Context(), currentUser(r).ID)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.MyTasksPage(s.base(r, "My tasks", "tasks"), templates.MyTasksView{Tasks: tasks, Now: time.Now()}))
}
