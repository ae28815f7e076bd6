package web

import (
	"errors"
	"fmt"
	"net/http"

	"breachdesk/internal/auth"
	"breachdesk/templates"
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/cases", http.StatusSeeOther)
		return nil
	}
	f := templates.Form{Values: map[string]string{"next": r.URL.Query().Get("next")}}
	b := s.base(r, "Sign in", "")
	if r.URL.Query().Get("expired") != "" && b.Flash == "" {
		b.Flash = "Your session has expired. Sign in again to continue."
	}
	return render(w, r, http.StatusOK, templates.Login(b, f))
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "email", "password", "next")
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.users.Authenticate(ctx, f.Get("email"), f.Get("password"), s.clientAddr(r))
	var locked *auth.LockedError
	status := http.StatusUnauthorized
	switch {
	case err == nil:
		if err := s.sessions.RenewToken(ctx); err != nil {
			return err
		}
		s.sessions.Put(ctx, sessUserID, u.ID)
		s.sessions.Put(ctx, sessEpoch, u.SessionEpoch)
		s.logger.InfoContext(ctx, "signed in", "user_id", u.ID)
		if u.MustChangePassword {
			return s.redirect(w, r, "/account/password", "")
		}
		return s.redirect(w, r, safeNext(f.Get("next")), "")
	case errors.Is(err, auth.ErrBadCredentials):
		f.Message = "Wrong e-mail or password."
	case errors.As(err, &locked):
		status = http.StatusTooManyRequests
		f.Message = fmt.Sprintf("Too many failed sign-ins for this e-mail. Try again after %s UTC.",
			locked.Until.UTC().Format("15:04"))
	case errors.Is(err, auth.ErrRateLimited):
		status = http.StatusTooManyRequests
		f.Message = "Too many failed sign-ins from your network. Wait 15 minutes and try again."
	default:
		return err
	}
	return render(w, r, status, templates.Login(s.base(r, "Sign in", ""), f))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s.sessions.Remove(ctx, sessUserID)
	s.sessions.Remove(ctx, sessEpoch)
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	return s.redirect(w, r, "/login", "You are signed out.")
}
