package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	mustCreate(t, s, "admin@example.com", auth.RoleAdmin)
	u := mustCreate(t, s, "Officer@Example.com", auth.RoleOfficer)
	got, err := s.Authenticate(ctx, " OFFICER@example.com", "correct horse battery", "10.0.0.1")
	if err != nil || got.ID != u.ID {
		t.Fatalf("right password: %+v, %v", got, err)
	}
	for _, c := range []struct{ email, pw string }{
		{"officer@example.com", "wrong horse battery"},
		{"nobody@example.com", "correct horse battery"},
		{"officer@example.com", ""},
	} {
		if _, err := s.Authenticate(ctx, c.email, c.pw, "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("Authenticate(%q, %q) = %v, want ErrBadCredentials", c.email, c.pw, err)
		}
	}
	if _, err := s.SetActive(ctx, u.ID, u.Version, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, u.Email, "correct horse battery", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("disabled account: got %v, want ErrBadCredentials", err)
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.New(t)
	s := auth.NewStore(pool)
	ctx := context.Background()
	u := mustCreate(t, s, "officer@example.com", auth.RoleOfficer)
	for i := 0; i < auth.LockoutFailures-1; i++ {
		if _, err := s.Authenticate(ctx, u.Email, "wrong password!", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// Four failures: the right password still works and clears the count.
	if _, err := s.Authenticate(ctx, u.Email, "correct horse battery", "10.0.0.1"); err != nil {
		t.Fatalf("after 4 failures: %v", err)
	}
	for i := 0; i < auth.LockoutFailures; i++ {
		s.Authenticate(ctx, u.Email, "wrong password!", "10.0.0.2")
	}
	_, err := s.Authenticate(ctx, u.Email, "correct horse battery", "10.0.0.3")
	var locked *auth.LockedError
	if !errors.As(err, &locked) || !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("after 5 failures the right password gave %v, want a lock", err)
	}
	if d := time.Until(locked.Until); d < 14*time.Minute || d > 15*time.Minute+time.Second {
		t.Errorf("lock ends in %s, want about 15 minutes", d)
	}
	// An unknown e-mail locks the same way, so the answer tells nothing.
	for i := 0; i < auth.LockoutFailures; i++ {
		s.Authenticate(ctx, "ghost@example.com", "wrong password!", "10.0.0.4")
	}
	if _, err := s.Authenticate(ctx, "ghost@example.com", "x", "10.0.0.5"); !errors.Is(err, auth.ErrLocked) {
		t.Errorf("unknown e-mail after 5 failures: %v, want ErrLocked", err)
	}

	// Sixteen minutes later the lock is over.
	backdate(t, pool, 16*time.Minute)
	if _, err := s.Authenticate(ctx, u.Email, "correct horse battery", "10.0.0.3"); err != nil {
		t.Errorf("after the lock expired: %v", err)
	}
}

func TestFailuresSpreadOverMoreThanTheWindowDoNotLock(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.New(t)
	s := auth.NewStore(pool)
	ctx := context.Background()
	u := mustCreate(t, s, "officer@example.com", auth.RoleOfficer)
	for i := 0; i < 3; i++ {
		s.Authenticate(ctx, u.Email, "wrong password!", "10.0.0.1")
	}
	backdate(t, pool, 16*time.Minute)
	for i := 0; i < 2; i++ {
		s.Authenticate(ctx, u.Email, "wrong password!", "10.0.0.1")
	}
	if _, err := s.Authenticate(ctx, u.Email, "correct horse battery", "10.0.0.1"); err != nil {
		t.Errorf("5 failures over 16 minutes locked the account: %v", err)
	}
}

func TestClientAddressLimit(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	mustCreate(t, s, "officer@example.com", auth.RoleOfficer)
	for i := 0; i < auth.ClientFailures; i++ {
		// Different e-mails each time: a password-spraying client.
		s.Authenticate(ctx, "user"+string(rune('a'+i))+"@example.com", "wrong password!", "192.0.2.7")
	}
	if _, err := s.Authenticate(ctx, "officer@example.com", "correct horse battery", "192.0.2.7"); !errors.Is(err, auth.ErrRateLimited) {
		t.Errorf("client over its limit: %v, want ErrRateLimited", err)
	}
	if _, err := s.Authenticate(ctx, "officer@example.com", "correct horse battery", "192.0.2.8"); err != nil {
		t.Errorf("another client was limited too: %v", err)
	}
}

// backdate moves every recorded login attempt d into the past.
func backdate(t *testing.T, pool *pgxpool.Pool, d time.Duration) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `UPDATE login_attempts SET at = at - make_interval(secs => $1)`, d.Seconds()); err != nil {
		t.Fatal(err)
	}
}
