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
			r.With(s.allow(auth.ActOwnAccount)).Get("/account", s.handle(s.accountForm))
			r.With(s.allow(auth.ActOwnAccount)).Post("/account/time-zone", s.handle(s.accountTimeZone))

			// Reading cases: every role. Downloads are recorded on the timeline.
			r.With(s.allow(auth.ActViewCases)).Get("/cases", s.handle(s.casesList))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}", s.handle(s.caseShow))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/evidence/{evidence}", s.handle(s.evidenceDownload))
			r.With(s.allow(auth.ActViewCases)).Get("/tasks/mine", s.handle(s.myTasks))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/obligations/filings/{filing}/file", s.handle(s.obligationsFilingFile))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/notices/{draft}", s.handle(s.draftPage))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/notices/{draft}/print", s.handle(s.draftPrint))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/notices/{draft}/download/{format:pdf|docx}", s.handle(s.draftDownload))
			r.With(s.allow(auth.ActReview)).Post("/cases/{ref}/notices/{draft}/review", s.handle(s.draftReview))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/residents", s.handle(s.residentsPage))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/residents/people", s.handle(s.peoplePage))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/imports/{import}", s.handle(s.importPage))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/imports/{import}/progress", s.handle(s.importProgress))
			r.With(s.allow(auth.ActViewCases)).Get("/cases/{ref}/imports/{import}/errors.csv", s.handle(s.importErrors))
		})

		// Changing cases: officers and admins.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser, s.allow(auth.ActEditCases))
			r.Get("/cases/new", s.handle(s.caseNew))
			r.Post("/cases", s.handle(s.caseCreate))
			r.Get("/cases/{ref}/edit", s.handle(s.caseEdit))
			r.Post("/cases/{ref}/edit", s.handle(s.caseUpdate))
			r.Post("/cases/{ref}/status", s.handle(s.caseStatus))
			r.Post("/cases/{ref}/notes", s.handle(s.caseNote))
			r.Post("/cases/{ref}/clocks", s.handle(s.caseClock))
			r.Post("/cases/{ref}/tasks/{task}/status", s.handle(s.taskStatus))
			r.Post("/cases/{ref}/tasks/{task}/evidence", s.handle(s.taskEvidence))
			r.Post("/cases/{ref}/tasks/{task}/environments", s.handle(s.taskTrackEnvironments))
			r.Post("/cases/{ref}/tasks/{task}/environments/{env}", s.handle(s.taskEnvironment))
			r.Post("/cases/{ref}/notices", s.handle(s.noticesCreate))
			r.Post("/cases/{ref}/notices/{draft}/edit", s.handle(s.draftEdit))
			r.Post("/cases/{ref}/notices/{draft}/submit", s.handle(s.draftSubmit))
			// Residents' addresses in clear, for the mailing: recorded with a reason.
			r.Post("/cases/{ref}/notices/{draft}/mail-merge", s.handle(s.draftMailMerge))
			r.Post("/cases/{ref}/obligations/accept", s.handle(s.obligationsAccept))
			r.Post("/cases/{ref}/obligations/file", s.handle(s.obligationsFile))
			r.Post("/cases/{ref}/imports", s.handle(s.importUpload))
			r.Post("/cases/{ref}/imports/{import}/start", s.handle(s.importStart))
			r.Post("/cases/{ref}/imports/{import}/cancel", s.handle(s.importCancel))
			r.Post("/cases/{ref}/imports/{import}/accept", s.handle(s.importAccept))
			r.Post("/cases/{ref}/imports/{import}/discard", s.handle(s.importDiscard))
			r.Post("/cases/{ref}/imports/{import}/remove", s.handle(s.importRemove))
			// Seeing a person in clear: officers and admins, recorded.
			r.Post("/cases/{ref}/residents/reveal", s.handle(s.peopleReveal))
			r.Post("/cases/{ref}/residents/conflicts", s.handle(s.peopleConflicts))
		})

		// Case records: administrators, officers and auditors export them
		// (recorded on the timeline) and verify exports.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser, s.allow(auth.ActExport))
			r.Post("/cases/{ref}/export", s.handle(s.caseExport))
			r.Get("/verify", s.handle(s.verifyForm))
			r.Post("/verify", s.handle(s.verifyUpload))
		})

		// Letter templates: every role reads them (auditors read
		// everything); administrators and reviewers edit them.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.With(s.allow(auth.ActViewCases)).Get("/templates", s.handle(s.letterTemplates))
			r.With(s.allow(auth.ActViewCases)).Get("/templates/{template}", s.handle(s.letterTemplate))
			r.With(s.allow(auth.ActTemplates)).Post("/templates/{template}", s.handle(s.letterTemplateSave))
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

		// Organisation settings and playbooks: administrators.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser, s.allow(auth.ActManageOrg))
			r.Get("/admin/settings", s.handle(s.adminSettings))
			r.Post("/admin/settings", s.handle(s.adminSettingsSave))
			r.Post("/cases/{ref}/purge", s.handle(s.casePurge))
			r.Get("/admin/playbooks", s.handle(s.adminPlaybooks))
			r.Post("/admin/playbooks", s.handle(s.adminPlaybookCreate))
			r.Post("/admin/playbooks/{playbook}/tasks", s.handle(s.adminPlaybookTaskAdd))
			r.Post("/admin/playbooks/{playbook}/tasks/{task}/delete", s.handle(s.adminPlaybookTaskRemove))
		})
	})
	return r
}
