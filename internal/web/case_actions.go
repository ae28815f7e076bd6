package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
	"breachdesk/templates"
)

// actionResult answers a form on the case page: on success a redirect back
// with a flash; a refusal the user can fix re-renders the page with the
// reason (422 bad input, 409 stale or closed); anything else is an error.
func (s *Server) actionResult(w http.ResponseWriter, r *http.Request, err error, f templates.Form, done, anchor string) error {
	ref := caseRef(r)
	switch {
	case err == nil:
		return s.redirect(w, r, "/cases/"+ref+anchor, done)
	case errors.Is(err, cases.ErrStale):
		return s.renderCase(w, r, http.StatusConflict, "Someone else changed this since you loaded the page. Nothing was saved; the page now shows the current state.", templates.Form{})
	case errors.Is(err, cases.ErrClosed):
		return s.renderCase(w, r, http.StatusConflict, "This case is closed and read-only. Reopen it to change it.", templates.Form{})
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if !fieldErrors(&f, err) {
		return err
	}
	var v *cases.ValidationError
	errors.As(err, &v)
	return s.renderCase(w, r, http.StatusUnprocessableEntity, "Not saved: "+v.Error(), f)
}

func (s *Server) caseStatus(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "status", "reason", "version")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Get("version"))
	_, err = s.cases.SetStatus(r.Context(), actor(r), caseRef(r), version, f.Get("status"), f.Get("reason"))
	return s.actionResult(w, r, err, f, "Status changed to "+cases.Label(cases.Statuses, f.Get("status"))+".", "")
}

func (s *Server) caseNote(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "note")
	if err != nil {
		return err
	}
	err = s.cases.AddNote(r.Context(), actor(r), caseRef(r), f.Get("note"))
	return s.actionResult(w, r, err, f, "Note added to the timeline.", "#timeline")
}

func (s *Server) caseClock(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "label", "anchor_at", "hours")
	if err != nil {
		return err
	}
	loc := currentUser(r).Location()
	var anchor time.Time
	if v := f.Get("anchor_at"); v != "" {
		if anchor, err = time.ParseInLocation(localLayout, v, loc); err != nil {
			f.Errors["anchor_at"] = "Enter a date and time."
			return s.renderCase(w, r, http.StatusUnprocessableEntity, "Not saved: enter when the clock starts.", f)
		}
	}
	hours, _ := strconv.Atoi(f.Get("hours"))
	err = s.cases.AddClock(r.Context(), actor(r), caseRef(r), f.Get("label"), anchor, hours)
	return s.actionResult(w, r, err, f, "Clock added.", "#clocks")
}

func taskID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "task"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) taskStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "status", "owner", "reason", "version")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Get("version"))
	owner, _ := strconv.ParseInt(f.Get("owner"), 10, 64)
	err = s.cases.UpdateTask(r.Context(), actor(r), caseRef(r), id, version,
		cases.TaskChange{Status: f.Get("status"), OwnerID: owner, Reason: f.Get("reason")})
	return s.actionResult(w, r, err, f, "Task updated.", fmt.Sprintf("#task-%d", id))
}

// taskEvidence takes a multipart form with a note and an optional file of
// at most cases.MaxAttachmentBytes.
func (s *Server) taskEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	file, err := parseAttachmentForm(w, r, cases.MaxAttachmentBytes)
	switch {
	case errors.Is(err, errUploadTooLarge):
		return s.renderCase(w, r, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Not saved: the file is larger than the %d MB limit.", cases.MaxAttachmentBytes>>20), templates.Form{})
	case errors.Is(err, http.ErrNotMultipart):
		return fmt.Errorf("%w: %v", errBadRequest, err)
	case err != nil:
		return err
	}
	var upload *cases.Upload
	if file != nil {
		upload = &cases.Upload{Name: file.Name, Data: file.Data}
	}
	err = s.cases.AddEvidence(r.Context(), actor(r), caseRef(r), id, r.PostFormValue("note"), upload)
	return s.actionResult(w, r, err, templates.Form{}, "Evidence added.", fmt.Sprintf("#task-%d", id))
}

func (s *Server) evidenceDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "evidence"), 10, 64)
	if err != nil {
		return errNotFound
	}
	e, data, err := s.cases.EvidenceFile(r.Context(), actor(r), caseRef(r), id)
	if err != nil {
		return err
	}
	sendFile(w, e.FileName, e.ContentType, int64(len(data)))
	w.Header().Set("X-Content-SHA256", e.SHA256)
	_, err = w.Write(data)
	return err
}

func (s *Server) taskTrackEnvironments(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	err = s.cases.TrackEnvironments(r.Context(), actor(r), caseRef(r), id)
	return s.actionResult(w, r, err, templates.Form{}, "The task is now tracked per environment.", fmt.Sprintf("#task-%d", id))
}

func (s *Server) taskEnvironment(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "status", "note", "version")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Get("version"))
	env := chi.URLParam(r, "env")
	err = s.cases.SetEnvStatus(r.Context(), actor(r), caseRef(r), id, env, version, f.Get("status"), f.Get("note"))
	return s.actionResult(w, r, err, f, env+" updated.", fmt.Sprintf("#task-%d", id))
}

// casePurge erases a closed case's residents' personal data now, with a
// reason, instead of waiting for the retention period.
func (s *Server) casePurge(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "reason")
	if err != nil {
		return err
	}
	n, err := s.people.Purge(r.Context(), actor(r), c.ID, f.Get("reason"))
	if errors.Is(err, residents.ErrNotClosed) {
		return s.renderCase(w, r, http.StatusConflict, residents.ErrNotClosed.Error(), f)
	}
	return s.actionResult(w, r, err, f, fmt.Sprintf("Personal data of %d residents purged and the case's data key destroyed.", n), "")
}
