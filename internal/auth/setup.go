package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// NewSetupToken makes the one-time token for creating the first
// administrator, replacing any earlier one, and returns it in clear (only
// its hash is stored). When accounts already exist it returns "" and no
// error: setup is over.
func (s *Store) NewSetupToken(ctx context.Context) (string, error) {
	token := rand.Text()
	hash := sha256.Sum256([]byte(token))
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO setup_tokens (token_hash) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM users)
		ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, created_at = now()`, hash[:])
	if err != nil {
		return "", fmt.Errorf("store setup token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return "", nil
	}
	return token, nil
}

// CheckSetupToken returns nil if token is the current setup token and no
// account exists yet, ErrSetupDone otherwise.
func (s *Store) CheckSetupToken(ctx context.Context, token string) error {
	return checkSetupToken(ctx, s.pool, token, false)
}

func checkSetupToken(ctx context.Context, q querier, token string, lock bool) error {
	sql := `SELECT token_hash FROM setup_tokens WHERE NOT EXISTS (SELECT 1 FROM users)`
	if lock {
		sql += ` FOR UPDATE OF setup_tokens`
	}
	var stored []byte
	err := q.QueryRow(ctx, sql).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrSetupDone
	}
	if err != nil {
		return fmt.Errorf("load setup token: %w", err)
	}
	hash := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(stored, hash[:]) != 1 {
		return ErrSetupDone
	}
	return nil
}

// CompleteSetup creates the first administrator from n (its role forced to
// admin) if token is valid, and deletes the token in the same transaction,
// so the link works once. It returns ErrSetupDone for a used or wrong token
// and a *ValidationError for bad input (the token stays valid then).
func (s *Store) CompleteSetup(ctx context.Context, token string, n NewUser) (User, error) {
	n.Role = RoleAdmin
	var u User
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkSetupToken(ctx, tx, token, true); err != nil {
			return err
		}
		var err error
		if u, err = createUser(ctx, tx, n); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM setup_tokens`)
		return err
	})
	return u, err
}
