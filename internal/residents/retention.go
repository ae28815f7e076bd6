package residents

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
)

// ErrNotClosed: personal data is purged only from closed cases.
var ErrNotClosed = errors.New("only a closed case's personal data can be purged; close the case first")

// Purge erases the personal data of a closed case's residents: the
// encrypted fields and keyed hashes of every resident, uploads still
// waiting and the import error reports, and destroys the case's data key,
// so copies of the rows in backups cannot be decrypted either. Counts,
// jurisdictions, ZIP3, exposed elements and the timeline stay. The purge is
// recorded on the timeline with reason, in the same transaction. It
// returns how many residents were purged. Errors: ErrNotClosed,
// cases.ErrNotFound, a *cases.ValidationError without a reason.
func (s *Service) Purge(ctx context.Context, actor cases.Actor, caseID int64, reason string) (int64, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return 0, &cases.ValidationError{Fields: map[string]string{"reason": "Say why the personal data is purged now."}}
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM cases WHERE id = $1 FOR NO KEY UPDATE`, caseID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return cases.ErrNotFound
		} else if err != nil {
			return err
		}
		if status != "closed" {
			return ErrNotClosed
		}
		tag, err := tx.Exec(ctx, `UPDATE residents SET nonce = NULL, enc_crm_id = NULL, enc_name = NULL, enc_email = NULL, enc_phone = NULL,
			enc_address = NULL, bi_crm_id = NULL, bi_email = NULL, bi_name_addr = NULL, purged_at = now()
			WHERE case_id = $1 AND purged_at IS NULL`, caseID)
		if err != nil {
			return fmt.Errorf("purge residents: %w", err)
		}
		n = tag.RowsAffected()
		for _, sql := range []string{
			`DELETE FROM import_chunks WHERE import_id IN (SELECT id FROM resident_imports WHERE case_id = $1)`,
			`DELETE FROM import_errors WHERE import_id IN (SELECT id FROM resident_imports WHERE case_id = $1)`,
			`UPDATE case_keys SET wrapped_key = NULL, destroyed_at = coalesce(destroyed_at, now()) WHERE case_id = $1`,
		} {
			if _, err := tx.Exec(ctx, sql, caseID); err != nil {
				return fmt.Errorf("purge: %w", err)
			}
		}
		return cases.RecordAccess(ctx, tx, caseID, actor, "residents.purged", map[string]any{
			"residents": n, "reason": reason, "data_key_destroyed": true})
	})
	return n, err
}

// RetentionActor is who purges on the retention schedule.
var RetentionActor = cases.Actor{Email: "retention policy"}

// PurgeExpired purges every closed case whose last closing was longer than
// the organisation's retention period before now and that still holds
// personal data (or an undestroyed key). It returns how many cases it
// purged; with no retention period set it does nothing.
func (s *Service) PurgeExpired(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id, s.retention_days FROM cases c CROSS JOIN org_settings s
		WHERE s.retention_days IS NOT NULL AND c.status = 'closed'
		  AND (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'case.closed') < $1::timestamptz - make_interval(days => s.retention_days)
		  AND (EXISTS (SELECT 1 FROM residents r WHERE r.case_id = c.id AND r.purged_at IS NULL)
		       OR EXISTS (SELECT 1 FROM case_keys k WHERE k.case_id = c.id AND k.wrapped_key IS NOT NULL))`, now)
	if err != nil {
		return 0, fmt.Errorf("find cases past retention: %w", err)
	}
	type due struct {
		ID   int64
		Days int
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[due])
	if err != nil {
		return 0, err
	}
	purged := 0
	for _, d := range list {
		if _, err := s.Purge(ctx, RetentionActor, d.ID, fmt.Sprintf("retention period of %d days after closing has passed", d.Days)); err != nil {
			if errors.Is(err, ErrNotClosed) { // reopened meanwhile
				continue
			}
			return purged, fmt.Errorf("purge case %d: %w", d.ID, err)
		}
		purged++
	}
	return purged, nil
}
