// Package db opens the PostgreSQL pool, applies the schema and, when no
// server is configured, runs a private PostgreSQL cluster for the app.
package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Open connects to the database at url and returns a pool once a ping
// succeeds. A server that is not up yet is retried with back-off until wait
// has passed; then Open fails with the last error. Open never returns a pool
// together with an error.
func Open(ctx context.Context, url string, wait time.Duration, logger *slog.Logger) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	deadline := time.Now().Add(wait)
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err == nil {
			pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = pool.Ping(pingCtx)
			cancel()
			if err == nil {
				return pool, nil
			}
			pool.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("database at %s not reachable after %s (%d attempts): %w",
				describe(cfg), wait, attempt, err)
		}
		logger.Warn("database not reachable yet, retrying", "attempt", attempt, "in", delay.String(), "err", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		delay = min(delay*2, 4*time.Second)
	}
}

func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("host=%s port=%d db=%s user=%s", c.Host, c.Port, c.Database, c.User)
}

// IsUnavailable reports whether err means the database could not be reached
// (refused, dropped or timed out connection, or a server shutting down), as
// opposed to an error in the query itself.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	// A connection cut under a query ends it with an unexpected EOF.
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: operator intervention
		// (admin shutdown, crash shutdown, cannot connect now).
		return pgErr.Code[:2] == "08" || pgErr.Code[:4] == "57P0"
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded)
}
