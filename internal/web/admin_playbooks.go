package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func (s *Server) adminPlaybooks(w http.ResponseWriter, r *http.Request) error {
	return s.renderPlaybooks(w, r, http.StatusOK, templates.PlaybooksView{FormFor: -1})
}

func (s *Server) renderPlaybooks(w http.ResponseWriter, r *http.Request, status int, v templates.PlaybooksView) error {
	var err error
	if v.Playbooks, err = s.cases.Playbooks(r.Context()); err != nil {
		return err
	}
	return render(w, r, status, templates.AdminPlaybooks(s.base(r, "Playbooks", "admin"), v))
}

func (s *Server) adminPlaybookCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "name", "description")
	if err != nil {
		return err
	}
	if _, err = s.cases.CreatePlaybook(r.Context(), f.Get("name"), f.Get("description")); err == nil {
		return s.redirect(w, r, "/admin/playbooks", "Playbook "+f.Get("name")+" created; add its tasks below.")
	}
	if !fieldErrors(&f, err) {
		return err
	}
	return s.renderPlaybooks(w, r, http.StatusUnprocessableEntity, templates.PlaybooksView{Form: f, FormFor: 0})
}

func playbookID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "playbook"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) adminPlaybookTaskAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := playbookID(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "phase", "title", "detail", "due_offset_hours")
	if err != nil {
		return err
	}
	hours, herr := strconv.Atoi(f.Get("due_offset_hours"))
	if herr != nil {
		hours = -1
	}
	err = s.cases.AddPlaybookTask(r.Context(), id, cases.PlaybookTask{Phase: f.Get("phase"), Title: f.Get("title"), Detail: f.Get("detail"), DueOffsetHours: hours})
	if err == nil {
		return s.redirect(w, r, "/admin/playbooks", "Task added.")
	}
	if !fieldErrors(&f, err) {
		return err
	}
	return s.renderPlaybooks(w, r, http.StatusUnprocessableEntity, templates.PlaybooksView{Form: f, FormFor: id})
}

func (s *Server) adminPlaybookTaskRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := playbookID(r)
	if err != nil {
		return err
	}
	task, err := strconv.ParseInt(chi.URLParam(r, "task"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if err := s.cases.RemovePlaybookTask(r.Context(), id, task); err != nil {
		return err
	}
	return s.redirect(w, r, "/admin/playbooks", "Task removed from the playbook.")
}
