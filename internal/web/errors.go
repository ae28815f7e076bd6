package web

import (
	"errors"
	"net/http"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/db"
	"breachdesk/internal/residents"
	"breachdesk/templates"
)

// Errors that handlers return to get a specific page.
var (
	errNotFound    = errors.New("not found")
	errMethod      = errors.New("method not allowed")
	errForbidden   = errors.New("forbidden")
	errCrossOrigin = errors.New("cross-origin request")
	errBadRequest  = errors.New("bad request")
)

// handlerFunc is a handler that returns its error for handle to render.
type handlerFunc func(http.ResponseWriter, *http.Request) error

// handle adapts h to http.HandlerFunc, turning a returned error into the
// matching error page.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}

// renderError maps err to a status and a page. Details of unexpected errors
// are logged with the request id, never shown.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status, title, msg := http.StatusInternalServerError, "Something went wrong",
		"The request could not be completed. It has been logged; please try again, and quote the reference below if it keeps happening."
	switch {
	case errors.Is(err, errNotFound), errors.Is(err, auth.ErrNotFound), errors.Is(err, cases.ErrNotFound): // residents and notify share it
		status, title, msg = http.StatusNotFound, "Page not found", "There is no page at this address."
	case errors.Is(err, errMethod):
		status, title, msg = http.StatusMethodNotAllowed, "Not allowed", "This address does not accept that kind of request."
	case errors.Is(err, errForbidden):
		status, title, msg = http.StatusForbidden, "Not allowed", "Your role does not allow this. Ask an administrator if you need access."
	case errors.Is(err, errCrossOrigin):
		status, title, msg = http.StatusForbidden, "Request refused",
			"This form was sent from another site, so it was refused to protect your account. Nothing was changed. Open Breachdesk directly and try again."
	case errors.Is(err, errBadRequest):
		status, title, msg = http.StatusBadRequest, "Bad request", "The request could not be read. Reload the page and try again."
	case errors.Is(err, auth.ErrStale), errors.Is(err, cases.ErrStale):
		status, title, msg = http.StatusConflict, "Changed meanwhile", "Someone else changed this record since you loaded it. Nothing was overwritten; reload and try again."
	case errors.Is(err, cases.ErrClosed):
		status, title, msg = http.StatusConflict, "Case closed", "This case is closed and read-only. Reopen it to change it."
	case errors.Is(err, residents.ErrKeyDestroyed):
		status, title, msg = http.StatusGone, "Personal data purged", "This case's personal data was purged and its key destroyed; it can no longer be read. Counts and the timeline remain."
	case db.IsUnavailable(err):
		status, title, msg = http.StatusServiceUnavailable, "Database unavailable",
			"Breachdesk cannot reach its database right now. Nothing was lost; try again in a moment."
		s.logger.ErrorContext(r.Context(), "database unavailable", "err", err, "path", r.URL.Path)
	default:
		s.logger.ErrorContext(r.Context(), "request failed", "err", err, "method", r.Method, "path", r.URL.Path)
	}
	b := templates.Base{Title: title, User: currentUser(r), RequestID: RequestID(r.Context())}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := templates.ErrorPage(b, status, msg).Render(r.Context(), w); err != nil {
		s.logger.ErrorContext(r.Context(), "render error page", "err", err)
	}
}
