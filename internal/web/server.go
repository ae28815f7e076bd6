// Package web turns HTTP requests into calls on the domain packages and
// renders the templates. Every URL is listed in routes.go.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/audit"
	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

// Config holds the web settings read by main.
type Config struct {
	// SecureCookies marks cookies Secure and sends HSTS; true when the app
	// is served over TLS, directly or behind a proxy.
	SecureCookies bool
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry (set by a reverse proxy) instead of the connection.
	TrustProxy bool
}

// Server holds what the handlers need. Build it with NewServer.
type Server struct {
	logger   *slog.Logger
	pool     *pgxpool.Pool
	sessions *scs.SessionManager
	users    *auth.Store
	cases    *cases.Service
	people   *residents.Service
	notices  *notify.Service
	exporter *audit.Exporter
	cfg      Config
}

// NewSessionManager returns the session manager for the app: sessions kept
// in Postgres (store), ended after idle of inactivity and lifetime at most.
func NewSessionManager(store scs.Store, idle, lifetime time.Duration, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.IdleTimeout = idle
	sm.Lifetime = lifetime
	sm.Cookie.Name = "breachdesk_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	return sm
}

// DeleteExpiredSessions removes sessions past their expiry from the store.
func DeleteExpiredSessions(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < now()`)
	return err
}

// NewServer returns the app's HTTP handler.
func NewServer(logger *slog.Logger, pool *pgxpool.Pool, sessions *scs.SessionManager, users *auth.Store,
	people *residents.Service, master residents.MasterKey, rules *notify.Rules, cfg Config) http.Handler {
	notices := notify.NewService(pool, rules)
	s := &Server{logger: logger, pool: pool, sessions: sessions, users: users, cases: cases.NewService(pool), people: people,
		notices: notices, exporter: audit.NewExporter(pool, notices, master), cfg: cfg}
	sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.renderError(w, r, err) }
	return s.routes()
}
