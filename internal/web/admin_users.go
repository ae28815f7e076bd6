package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/auth"
	"breachdesk/templates"
)

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUsers(w, r, http.StatusOK, templates.AdminUsersView{New: templates.Form{Values: map[string]string{"role": "officer"}}})
}

func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, v templates.AdminUsersView) error {
	users, err := s.users.List(r.Context())
	if err != nil {
		return err
	}
	v.Users = users
	return render(w, r, status, templates.AdminUsers(s.base(r, "Users", "admin"), v))
}

// adminUserCreate adds an account with a generated password, shown once in
// this response (never stored in clear, not even in the session).
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "display_name", "email", "role")
	if err != nil {
		return err
	}
	pw := auth.GeneratePassword()
	u, err := s.users.Create(r.Context(), auth.NewUser{
		Email: f.Get("email"), DisplayName: f.Get("display_name"), Role: auth.Role(f.Get("role")),
		Password: pw, MustChangePassword: true,
	})
	var v *auth.ValidationError
	switch {
	case errors.As(err, &v):
		f.Errors = v.Fields
	case errors.Is(err, auth.ErrEmailTaken):
		f.Errors["email"] = "An account with this e-mail already exists."
	case err != nil:
		return err
	}
	if err != nil {
		return s.renderAdminUsers(w, r, http.StatusUnprocessableEntity, templates.AdminUsersView{New: f})
	}
	s.logger.InfoContext(r.Context(), "user created", "by", currentUser(r).ID, "user_id", u.ID, "role", u.Role)
	return s.renderAdminUsers(w, r, http.StatusOK, templates.AdminUsersView{
		New:    templates.Form{Values: map[string]string{"role": "officer"}},
		Issued: &templates.IssuedPassword{Email: u.Email, Password: pw, Reason: fmt.Sprintf("%s was added as %s.", u.DisplayName, u.Role.Label())},
	})
}

// userRowForm reads the target user id from the URL and the version the
// form was rendered with.
func userRowForm(w http.ResponseWriter, r *http.Request, fields ...string) (int64, int, templates.Form, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return 0, 0, templates.Form{}, errNotFound
	}
	f, err := parseForm(w, r, append(fields, "version")...)
	if err != nil {
		return 0, 0, f, err
	}
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		return 0, 0, f, errBadRequest
	}
	return id, version, f, nil
}

// rowResult answers a change to one user: a redirect with a flash on
// success, the page with a message for a refusal the admin can act on.
func (s *Server) rowResult(w http.ResponseWriter, r *http.Request, u auth.User, err error, done string) error {
	var msg string
	var v *auth.ValidationError
	switch {
	case err == nil:
		s.logger.InfoContext(r.Context(), "user changed", "by", currentUser(r).ID, "user_id", u.ID, "change", done)
		return s.redirect(w, r, "/admin/users", done)
	case errors.Is(err, auth.ErrLastAdmin):
		msg = "This is the last active administrator: make someone else an administrator first."
	case errors.Is(err, auth.ErrStale):
		msg = "That user was changed by someone else since you loaded this page. Nothing was changed; the list below is current."
	case errors.As(err, &v):
		msg = "Choose one of the listed roles."
	default:
		return err
	}
	return s.renderAdminUsers(w, r, http.StatusConflict, templates.AdminUsersView{
		New: templates.Form{Values: map[string]string{"role": "officer"}}, RowError: msg,
	})
}

func (s *Server) adminUserRole(w http.ResponseWriter, r *http.Request) error {
	id, version, f, err := userRowForm(w, r, "role")
	if err != nil {
		return err
	}
	u, err := s.users.SetRole(r.Context(), id, version, auth.Role(f.Get("role")))
	return s.rowResult(w, r, u, err, fmt.Sprintf("%s is now %s.", u.Email, u.Role.Label()))
}

func (s *Server) adminUserActive(w http.ResponseWriter, r *http.Request) error {
	id, version, f, err := userRowForm(w, r, "active")
	if err != nil {
		return err
	}
	active := f.Get("active") == "true"
	u, err := s.users.SetActive(r.Context(), id, version, active)
	done := fmt.Sprintf("%s is disabled; their sessions have ended.", u.Email)
	if active {
		done = fmt.Sprintf("%s is enabled again.", u.Email)
	}
	return s.rowResult(w, r, u, err, done)
}

func (s *Server) adminUserResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, version, _, err := userRowForm(w, r)
	if err != nil {
		return err
	}
	u, pw, err := s.users.ResetPassword(r.Context(), id, version)
	if err != nil {
		return s.rowResult(w, r, u, err, "")
	}
	s.logger.InfoContext(r.Context(), "password reset", "by", currentUser(r).ID, "user_id", u.ID)
	return s.renderAdminUsers(w, r, http.StatusOK, templates.AdminUsersView{
		New:    templates.Form{Values: map[string]string{"role": "officer"}},
		Issued: &templates.IssuedPassword{Email: u.Email, Password: pw, Reason: "The password was reset and the user's sessions ended."},
	})
}
