package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"breachdesk/templates"
)

// Session keys.
const (
	sessUserID = "user_id"
	sessEpoch  = "epoch"
	sessFlash  = "flash"
)

// maxFormBytes bounds a urlencoded form body.
const maxFormBytes = 64 << 10

// base returns the request-wide view data; it pops the flash message.
func (s *Server) base(r *http.Request, title, nav string) templates.Base {
	u := currentUser(r)
	var zone *time.Location
	if u != nil {
		zone = u.Location()
	}
	return templates.Base{
		Title:     title,
		User:      u,
		Zone:      zone,
		Flash:     s.sessions.PopString(r.Context(), sessFlash),
		Nav:       nav,
		RequestID: RequestID(r.Context()),
	}
}

// render writes c with status. It renders into a buffer first so that a
// failing component yields a clean error page, not half a page.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// redirect answers a successful form post: 303 to target with a flash.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, target, flash string) error {
	if flash != "" {
		s.sessions.Put(r.Context(), sessFlash, flash)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// parseForm reads a urlencoded body of at most maxFormBytes and returns a
// templates.Form holding the trimmed values of fields (passwords untrimmed).
func parseForm(w http.ResponseWriter, r *http.Request, fields ...string) (templates.Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return templates.Form{}, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	f := templates.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range fields {
		v := r.PostForm.Get(name)
		if !strings.Contains(name, "password") {
			v = strings.TrimSpace(v)
		}
		f.Values[name] = v
	}
	return f, nil
}

// safeNext returns next if it is a path on this site, else "/cases".
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") &&
		!strings.ContainsAny(next, "\r\n") {
		return next
	}
	return "/cases"
}
