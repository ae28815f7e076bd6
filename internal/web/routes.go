package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/auth"
	"breachdesk/static"
)

// routes lists every URL of the app, grouped by who may reach it.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.requestID, s.logRequests, s.recoverPanics, s.securityHeaders, s.crossOrigin)
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errMethod }))

	// Probes and assets: no session.
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/static/*", http.StripPrefix("/static/", staticFiles(static.FS)).ServeHTTP)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.loadUser)

		// Public.
		r.Get("/login", s.handle(s.loginForm))
		r.Post("/login", s.handle(s.loginSubmit))
		r.Get("/setup/{token}", s.handle(s.setupForm))
		r.Post("/setup/{token}", s.handle(s.setupSubmit))

		// Signed in, any role.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.With(s.allow(auth.ActOwnAccount)).Post("/logout", s.handle(s.logout))
			r.With(s.allow(auth.ActOwnAccount)).Get("/account/password", s.handle(s.passwordForm))
			r.With(s.allow(auth.ActOwnAccount)).Post("/account/password", s.handle(s.passwordSubmit))
			r.With(s.allow(auth.ActViewCases)).Get("/", http.RedirectHandler("/cases", http.StatusSeeOther).ServeHTTP)
			r.With(s.allow(auth.ActViewCases)).Get("/cases", s.handle(s.casesList))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}", s.handle(s.caseShow))
		})

		// Administrators.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser, s.allow(auth.ActManageUsers))
			r.Get("/admin/users", s.handle(s.adminUsers))
			r.Post("/admin/users", s.handle(s.adminUserCreate))
			r.Post("/admin/users/{id}/role", s.handle(s.adminUserRole))
			r.Post("/admin/users/{id}/active", s.handle(s.adminUserActive))
			r.Post("/admin/users/{id}/reset-password", s.handle(s.adminUserResetPassword))
		})
	})
	return r
}
