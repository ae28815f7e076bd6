package web

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/auth"
	"breachdesk/templates"
)

// setupForm shows the first-administrator form while the one-time link is
// valid; afterwards the link is a 404.
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	if err := s.users.CheckSetupToken(r.Context(), token); err != nil {
		return setupErr(err)
	}
	return render(w, r, http.StatusOK, templates.Setup(s.base(r, "Set up Breachdesk", ""), token, templates.Form{}))
}

func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	f, err := parseForm(w, r, "display_name", "email", "password", "password_confirm")
	if err != nil {
		return err
	}
	var u auth.User
	if f.Get("password") != f.Get("password_confirm") {
		err = &auth.ValidationError{Fields: map[string]string{"password_confirm": "The two passwords differ."}}
	} else {
		u, err = s.users.CompleteSetup(r.Context(), token, auth.NewUser{
			Email: f.Get("email"), DisplayName: f.Get("display_name"), Password: f.Get("password"),
		})
	}
	var v *auth.ValidationError
	switch {
	case errors.As(err, &v):
		f.Errors = v.Fields
		return render(w, r, http.StatusUnprocessableEntity, templates.Setup(s.base(r, "Set up Breachdesk", ""), token, f))
	case errors.Is(err, auth.ErrEmailTaken):
		f.Errors["email"] = "An account with this e-mail already exists."
		return render(w, r, http.StatusUnprocessableEntity, templates.Setup(s.base(r, "Set up Breachdesk", ""), token, f))
	case err != nil:
		return setupErr(err)
	}
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	s.logger.InfoContext(ctx, "first administrator created", "user_id", u.ID)
	return s.redirect(w, r, "/cases", "Welcome. Your administrator account is ready; add your team under Admin.")
}

func setupErr(err error) error {
	if errors.Is(err, auth.ErrSetupDone) {
		return errNotFound
	}
	return err
}
