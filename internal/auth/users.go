package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// User is an account of the app.
type User struct {
	ID                 int64
	Email              string
	DisplayName        string
	Role               Role
	MustChangePassword bool
	Active             bool
	// SessionEpoch changes when the password is reset or the account is
	// disabled; a session opened under an older epoch is void.
	SessionEpoch int
	// TimeZone is the IANA zone the user reads and types times in.
	TimeZone  string
	Version   int
	CreatedAt time.Time
}

// Location returns the user's time zone, UTC when it cannot be loaded.
func (u User) Location() *time.Location {
	if loc, err := time.LoadLocation(u.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Can reports whether the user may perform a: the account is active and its
// role allows it.
func (u User) Can(a Action) bool { return u.Active && Can(u.Role, a) }

// NewUser is the input for creating an account.
type NewUser struct {
	Email       string
	DisplayName string
	Role        Role
	Password    string
	// MustChangePassword forces a password change at the next login, for
	// passwords an admin or the CLI handed out.
	MustChangePassword bool
}

// Store reads and writes users in Postgres.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const userColumns = `id, email, display_name, role, must_change_password, active, session_epoch, time_zone, version, created_at`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.Role, &u.MustChangePassword, &u.Active,
		&u.SessionEpoch, &u.TimeZone, &u.Version, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// NormalizeEmail trims and lower-cases an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (n *NewUser) validate() error {
	v := &ValidationError{Fields: map[string]string{}}
	n.Email = NormalizeEmail(n.Email)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email || len(n.Email) > 254 {
		v.Fields["email"] = "Enter an e-mail address such as name@example.com."
	}
	if n.DisplayName == "" {
		v.Fields["display_name"] = "Enter the person's name."
	} else if utf8.RuneCountInString(n.DisplayName) > 200 {
		v.Fields["display_name"] = "Use at most 200 characters."
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		v.Fields["role"] = "Choose a role."
	}
	var pv *ValidationError
	if err := ValidatePassword(n.Password); errors.As(err, &pv) {
		v.Fields["password"] = pv.Fields["password"]
	}
	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// Create validates n and stores a new active account. It returns a
// *ValidationError for bad input and ErrEmailTaken for a used e-mail.
func (s *Store) Create(ctx context.Context, n NewUser) (User, error) {
	return createUser(ctx, s.pool, n)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func createUser(ctx context.Context, q querier, n NewUser) (User, error) {
	if err := n.validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	u, err := scanUser(q.QueryRow(ctx, `
		INSERT INTO users (email, display_name, role, password_hash, must_change_password)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+userColumns,
		n.Email, n.DisplayName, n.Role, hash, n.MustChangePassword))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return User{}, ErrEmailTaken
	}
	if err != nil {
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return u, nil
}

// Get returns the user with id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (User, error) {
	return scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// ByEmail returns the user with the e-mail (any case), or ErrNotFound.
func (s *Store) ByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, NormalizeEmail(email)))
}

// List returns every user, active ones first, then by name.
func (s *Store) List(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY active DESC, lower(display_name), id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
}

// Count returns how many accounts exist, disabled ones included.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// SetRole changes a user's role if the user is still at version. It returns
// ErrStale when the user changed meanwhile, ErrLastAdmin when that would
// leave no active administrator, and a *ValidationError for an unknown role.
func (s *Store) SetRole(ctx context.Context, id int64, version int, role Role) (User, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	return s.update(ctx, id, version, role != RoleAdmin,
		`UPDATE users SET role = $3, version = version + 1, updated_at = now()
		 WHERE id = $1 AND version = $2 RETURNING `+userColumns, role)
}

// SetActive enables or disables an account. Disabling ends its sessions.
// Errors as for SetRole.
func (s *Store) SetActive(ctx context.Context, id int64, version int, active bool) (User, error) {
	return s.update(ctx, id, version, !active,
		`UPDATE users SET active = $3, session_epoch = session_epoch + CASE WHEN $3 THEN 0 ELSE 1 END,
		        version = version + 1, updated_at = now()
		 WHERE id = $1 AND version = $2 RETURNING `+userColumns, active)
}

// ResetPassword gives the user a new generated password, returned once, that
// must be changed at next login, and ends the user's sessions.
func (s *Store) ResetPassword(ctx context.Context, id int64, version int) (User, string, error) {
	pw := GeneratePassword()
	hash, err := HashPassword(pw)
	if err != nil {
		return User{}, "", err
	}
	u, err := s.update(ctx, id, version, false,
		`UPDATE users SET password_hash = $3, must_change_password = true, session_epoch = session_epoch + 1,
		        version = version + 1, updated_at = now()
		 WHERE id = $1 AND version = $2 RETURNING `+userColumns, hash)
	if err != nil {
		return User{}, "", err
	}
	return u, pw, nil
}

// update runs one optimistic-locked UPDATE of user id. When removesAdmin is
// true and the user is an active admin, it first makes sure another active
// admin remains; the admins' rows stay locked until commit so that two
// admins cannot demote each other at once.
func (s *Store) update(ctx context.Context, id int64, version int, removesAdmin bool, sql string, arg any) (User, error) {
	var out User
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if removesAdmin {
			rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE`)
			if err != nil {
				return fmt.Errorf("lock admins: %w", err)
			}
			admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return fmt.Errorf("lock admins: %w", err)
			}
			if len(admins) == 1 && admins[0] == id {
				return ErrLastAdmin
			}
		}
		u, err := scanUser(tx.QueryRow(ctx, sql, id, version, arg))
		if errors.Is(err, ErrNotFound) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, id).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return ErrStale
			}
			return ErrNotFound
		}
		out = u
		return err
	})
	return out, err
}

// ChangePassword sets a new password chosen by the user, after checking the
// current one. It clears MustChangePassword and ends the user's other
// sessions. It returns ErrBadCredentials for a wrong current password and a
// *ValidationError for a weak new one.
func (s *Store) ChangePassword(ctx context.Context, id int64, current, next string) (User, error) {
	var hash string
	if err := s.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&hash); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return User{}, ErrNotFound
		}
		return User{}, fmt.Errorf("load password: %w", err)
	}
	if ok, err := CheckPassword(hash, current); err != nil || !ok {
		return User{}, &ValidationError{Fields: map[string]string{"current_password": "The current password is not right."}}
	}
	if err := ValidatePassword(next); err != nil {
		var v *ValidationError
		errors.As(err, &v)
		return User{}, &ValidationError{Fields: map[string]string{"new_password": v.Fields["password"]}}
	}
	if next == current {
		return User{}, &ValidationError{Fields: map[string]string{"new_password": "Choose a password different from the current one."}}
	}
	newHash, err := HashPassword(next)
	if err != nil {
		return User{}, err
	}
	return scanUser(s.pool.QueryRow(ctx, `
		UPDATE users SET password_hash = $2, must_change_password = false, session_epoch = session_epoch + 1,
		       version = version + 1, updated_at = now()
		WHERE id = $1 RETURNING `+userColumns, id, newHash))
}

// SetTimeZone sets the zone the user reads times in. It returns a
// *ValidationError on the time_zone field for a name that is not an IANA
// zone such as Europe/Berlin or America/New_York.
func (s *Store) SetTimeZone(ctx context.Context, id int64, zone string) (User, error) {
	zone = strings.TrimSpace(zone)
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		return User{}, invalid("time_zone", fmt.Sprintf("%q is not a time zone name such as Europe/Berlin or America/New_York.", zone))
	}
	return scanUser(s.pool.QueryRow(ctx, `UPDATE users SET time_zone = $2, updated_at = now() WHERE id = $1 RETURNING `+userColumns, id, zone))
}
