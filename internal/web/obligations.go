package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/templates"
)

func (s *Server) obligationsAccept(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "fingerprint")
	if err != nil {
		return err
	}
	changes, err := s.notices.Accept(r.Context(), actor(r), c, f.Get("fingerprint"))
	switch {
	case errors.Is(err, notify.ErrChanged):
		return s.renderCase(w, r, http.StatusConflict, notify.ErrChanged.Error(), templates.Form{})
	case errors.Is(err, cases.ErrClosed):
		return s.actionResult(w, r, err, templates.Form{}, "", "")
	case err != nil:
		return err
	}
	return s.redirect(w, r, "/cases/"+c.Reference+"#obligations", fmt.Sprintf("Obligations accepted (%d changes recorded on the timeline).", len(changes)))
}

// obligationsFile records a filing (multipart: an optional copy of what
// was sent, at most notify.MaxFilingFileBytes).
func (s *Server) obligationsFile(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	// The copy is optional, so a plain form is as good as a multipart one.
	file, err := parseAttachmentForm(w, r, notify.MaxFilingFileBytes)
	switch {
	case errors.Is(err, errUploadTooLarge):
		return s.renderCase(w, r, http.StatusRequestEntityTooLarge, "Not recorded: the copy is larger than 10 MB.", templates.Form{})
	case errors.Is(err, http.ErrNotMultipart):
		if err := r.ParseForm(); err != nil {
			return errBadRequest
		}
	case err != nil:
		return err
	}
	in := notify.FilingInput{Kind: r.FormValue("kind"), Method: r.FormValue("method"), What: r.FormValue("what"),
		Confirmation: r.FormValue("confirmation"), Reason: r.FormValue("reason")}
	if v := strings.TrimSpace(r.FormValue("sent_at")); v != "" {
		t, err := time.ParseInLocation(localLayout, v, currentUser(r).Location())
		if err != nil {
			return s.renderCase(w, r, http.StatusUnprocessableEntity, "Not recorded: enter when the notice was sent as a date and time.", templates.Form{})
		}
		in.SentAt = t
	}
	if file != nil {
		in.File, in.FileName = file.Data, file.Name
	}
	if v := r.FormValue("draft"); v != "" {
		if in.DraftID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return errBadRequest
		}
	}
	err = s.notices.File(r.Context(), actor(r), c.ID, r.FormValue("key"), in)
	if errors.Is(err, notify.ErrNotFound) {
		return s.renderCase(w, r, http.StatusConflict, "That obligation is not in the accepted set; accept the current obligations first.", templates.Form{})
	}
	return s.actionResult(w, r, err, templates.Form{}, "Filing recorded on the timeline.", "#obligations")
}

func (s *Server) obligationsFilingFile(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "filing"), 10, 64)
	if err != nil {
		return errNotFound
	}
	name, ct, data, err := s.notices.FilingFile(r.Context(), actor(r), c.ID, id)
	if errors.Is(err, notify.ErrNotFound) {
		return errNotFound
	} else if err != nil {
		return err
	}
	sendFile(w, name, ct, int64(len(data)))
	_, err = w.Write(data)
	return err
}
