package web

import (
	"errors"
	"net/http"

	"breachdesk/internal/auth"
	"breachdesk/templates"
)

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	return render(w, r, http.StatusOK, templates.ChangePassword(s.base(r, "Change password", "account"), u.MustChangePassword, templates.Form{}))
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	f, err := parseForm(w, r, "current_password", "new_password", "new_password_confirm")
	if err != nil {
		return err
	}
	var updated auth.User
	if f.Get("new_password") != f.Get("new_password_confirm") {
		err = &auth.ValidationError{Fields: map[string]string{"new_password_confirm": "The two passwords differ."}}
	} else {
		updated, err = s.users.ChangePassword(r.Context(), u.ID, f.Get("current_password"), f.Get("new_password"))
	}
	var v *auth.ValidationError
	if errors.As(err, &v) {
		f.Errors = v.Fields
		return render(w, r, http.StatusUnprocessableEntity,
			templates.ChangePassword(s.base(r, "Change password", "account"), u.MustChangePassword, f))
	}
	if err != nil {
		return err
	}
	// The change ended every session of the account; this one goes on
	// under a fresh token.
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessEpoch, updated.SessionEpoch)
	return s.redirect(w, r, "/cases", "Your password has been changed.")
}
