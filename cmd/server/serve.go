package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/jobs"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
	"breachdesk/internal/web"
)

// serve runs the web app until ctx ends, then lets in-flight requests
// finish (up to 30 s) before closing the database.
func serve(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()

	rules, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		return err // names the file and field: a bad rule stops the start
	}
	master, err := loadMasterKey(cfg, logger, stdout)
	if err != nil {
		return err
	}
	users := auth.NewStore(pool)
	queue, err := jobs.New(pool, logger, cfg.ImportWorkers)
	if err != nil {
		return err
	}
	people := residents.NewService(pool, residents.NewKeyring(pool, master), queue)
	people.HomeCountry = cfg.HomeCountry
	queue.SetResidents(people)
	if n, err := people.MarkInterrupted(ctx); err != nil {
		logger.Warn("check interrupted imports", "err", err)
	} else if n > 0 {
		logger.Warn("imports interrupted by a restart were marked failed", "count", n)
	}
	if err := queue.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := queue.Stop(stopCtx); err != nil {
			logger.Error("stop job queue", "err", err)
		}
	}()
	// pgxstore's own cleanup goroutine races with its StopCleanup; the
	// housekeeping loop below deletes expired sessions instead.
	store := pgxstore.NewWithCleanupInterval(pool, 0)
	sessions := web.NewSessionManager(store, cfg.SessionIdle, cfg.SessionLifetime, cfg.secure())
	handler := web.NewServer(logger, pool, sessions, users, people, master, rules, web.Config{SecureCookies: cfg.secure(), TrustProxy: cfg.TrustProxy})

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	base := cfg.BaseURL
	if base == "" {
		base = scheme + "://" + ln.Addr().String()
	}
	// The setup link is made before the app says it is serving, so whoever
	// waits for that line finds the link with it.
	token, err := users.NewSetupToken(ctx)
	if err != nil {
		logger.Error("create setup token", "err", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large CRM uploads
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			serveErr <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			serveErr <- srv.Serve(ln)
		}
	}()
	logger.Info("serving", "addr", ln.Addr().String(), "url", base)
	banner := fmt.Sprintf("Breachdesk is serving at %s\n", base)
	if token != "" {
		banner += fmt.Sprintf("No accounts yet. Create the first administrator at:\n  %s/setup/%s\n(the link works once)\n", base, token)
	}
	io.WriteString(stdout, banner) // one write, so a reader never sees the first line without the link
	go housekeeping(ctx, pool, users, people, logger)

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: waiting for requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// housekeeping deletes expired sessions and old login attempts every five
// minutes until ctx ends.
func housekeeping(ctx context.Context, pool *pgxpool.Pool, users *auth.Store, people *residents.Service, logger *slog.Logger) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := web.DeleteExpiredSessions(ctx, pool); err != nil && ctx.Err() == nil {
			logger.Warn("delete expired sessions", "err", err)
		}
		if err := users.PruneLoginAttempts(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("prune login attempts", "err", err)
		}
		if _, err := people.MarkInterrupted(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("check interrupted imports", "err", err)
		}
	}
}
