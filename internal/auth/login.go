package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Login throttling. Counting happens in Postgres so that every app server
// behind a load balancer sees the same attempts.
const (
	// LockoutFailures failed logins for one e-mail within LockoutWindow lock
	// it for LockoutDuration.
	LockoutFailures = 5
	LockoutWindow   = 15 * time.Minute
	LockoutDuration = 15 * time.Minute
	// ClientFailures failed logins from one client address within
	// LockoutWindow refuse further attempts from it until they age out.
	ClientFailures = 20
)

// LockedError is ErrLocked with the time the lock ends.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string { return ErrLocked.Error() }
func (e *LockedError) Unwrap() error { return ErrLocked }

// Authenticate checks an e-mail and password from a login form sent by
// client (an IP address). The order is: the client's limit
// (ErrRateLimited), the e-mail's lockout (*LockedError, which is ErrLocked),
// then the password (ErrBadCredentials, also for unknown or disabled
// accounts, in about the same time). Lockout applies to an e-mail whether or
// not an account has it, so the answers reveal nothing about which exist.
// Every checked attempt is recorded; refused ones are not, so an attacker
// cannot extend a lock forever.
func (s *Store) Authenticate(ctx context.Context, email, password, client string) (User, error) {
	email = NormalizeEmail(email)
	var clientFailures int
	if err := s.pool.QueryRow(ctx, `
		SELECT count(*) FROM login_attempts
		WHERE client = $1 AND NOT success AND at > now() - make_interval(secs => $2)`,
		client, LockoutWindow.Seconds()).Scan(&clientFailures); err != nil {
		return User{}, fmt.Errorf("count client attempts: %w", err)
	}
	if clientFailures >= ClientFailures {
		return User{}, ErrRateLimited
	}
	if until, err := s.lockedUntil(ctx, email); err != nil {
		return User{}, err
	} else if !until.IsZero() {
		return User{}, &LockedError{Until: until}
	}

	var u User
	var hash string
	err := s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email).Scan(
		&u.ID, &u.Email, &u.DisplayName, &u.Role, &u.MustChangePassword, &u.Active,
		&u.SessionEpoch, &u.TimeZone, &u.Version, &u.CreatedAt, &hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("load user: %w", err)
	}
	ok := false
	if hash == "" {
		CheckPassword(dummyHash, password) // same cost as a real check
	} else if len(password) <= MaxPasswordLength {
		ok, _ = CheckPassword(hash, password)
	}
	ok = ok && u.Active
	if _, err := s.pool.Exec(ctx, `INSERT INTO login_attempts (email, client, success) VALUES ($1, $2, $3)`,
		email, client, ok); err != nil {
		return User{}, fmt.Errorf("record login attempt: %w", err)
	}
	if !ok {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// lockedUntil returns when the lock on email ends, or the zero time when it
// is not locked: a lock starts at the LockoutFailures-th failure that falls
// within LockoutWindow of the first, counting only failures since the last
// successful login.
func (s *Store) lockedUntil(ctx context.Context, email string) (time.Time, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT at FROM login_attempts
		WHERE email = $1 AND NOT success
		  AND at > now() - make_interval(secs => $2)
		  AND at > coalesce((SELECT max(at) FROM login_attempts WHERE email = $1 AND success), '-infinity')
		ORDER BY at`, email, (LockoutWindow + LockoutDuration).Seconds())
	if err != nil {
		return time.Time{}, fmt.Errorf("load failed attempts: %w", err)
	}
	times, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return time.Time{}, fmt.Errorf("load failed attempts: %w", err)
	}
	var until time.Time
	for i := 0; i+LockoutFailures-1 < len(times); i++ {
		last := times[i+LockoutFailures-1]
		if last.Sub(times[i]) <= LockoutWindow {
			if end := last.Add(LockoutDuration); end.After(until) {
				until = end
			}
		}
	}
	if until.Before(time.Now()) {
		return time.Time{}, nil
	}
	return until, nil
}

// PruneLoginAttempts deletes attempts too old to matter to any limit.
func (s *Store) PruneLoginAttempts(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_attempts WHERE at < now() - interval '1 day'`)
	return err
}
