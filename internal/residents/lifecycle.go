package residents

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
)

// transition changes an import's status from one of from to to inside a
// transaction, then runs more in it. ErrState when the import is in none
// of from.
func (s *Service) transition(ctx context.Context, caseID, importID int64, from []string, to string,
	more func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE resident_imports SET status = $4, version = version + 1
			WHERE id = $1 AND case_id = $2 AND status = ANY($3)`, importID, caseID, from, to)
		if isUniqueViolation(err) {
			return ErrBusy
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM resident_imports WHERE id = $1 AND case_id = $2)`, importID, caseID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return ErrNotFound
			}
			return ErrState
		}
		return more(tx)
	})
}

// Cancel stops a queued or running import. A queued one is cancelled at
// once; a running one stops at its next progress report and rolls back.
func (s *Service) Cancel(ctx context.Context, actor cases.Actor, caseID, importID int64) error {
	err := s.transition(ctx, caseID, importID, []string{"queued"}, "cancelled", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE resident_imports SET error = $2, finished_at = now() WHERE id = $1`, importID, ErrCancelled.Error())
		if err != nil {
			return err
		}
		return cases.RecordAccess(ctx, tx, caseID, actor, "residents.import_cancelled", map[string]any{"import_id": importID})
	})
	if err != ErrState {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE resident_imports SET cancel_requested = true WHERE id = $1 AND case_id = $2 AND status = 'running'`, importID, caseID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrState
	}
	return nil
}

// Accept runs again an import that stopped for review because of bad
// rows, this time storing the usable rows and skipping the bad ones.
func (s *Service) Accept(ctx context.Context, actor cases.Actor, caseID, importID int64) error {
	return s.transition(ctx, caseID, importID, []string{"review"}, "queued", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE resident_imports SET accept_bad_rows = true, finished_at = NULL WHERE id = $1`, importID); err != nil {
			return err
		}
		if err := cases.RecordEvent(ctx, tx, caseID, actor, "residents.import_accepted", map[string]any{"import_id": importID}); err != nil {
			return err
		}
		if s.jobs == nil {
			return nil
		}
		return s.jobs.EnqueueImport(ctx, tx, importID)
	})
}

// Discard drops an import awaiting review, and its upload.
func (s *Service) Discard(ctx context.Context, actor cases.Actor, caseID, importID int64) error {
	return s.transition(ctx, caseID, importID, []string{"review", "uploaded", "failed"}, "cancelled", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM import_chunks WHERE import_id = $1`, importID); err != nil {
			return err
		}
		return cases.RecordAccess(ctx, tx, caseID, actor, "residents.import_discarded", map[string]any{"import_id": importID})
	})
}

// Remove takes a completed import out of the case as a whole: its
// residents are deleted, duplicates are decided again over what remains,
// the counts are rebuilt, and the removal is on the timeline with its
// reason. Errors: ErrNotFound, ErrState, cases.ErrClosed, or a
// *cases.ValidationError without a reason.
func (s *Service) Remove(ctx context.Context, actor cases.Actor, caseID, importID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return &cases.ValidationError{Fields: map[string]string{"reason": "Say why the import is removed."}}
	}
	return s.transition(ctx, caseID, importID, []string{"completed"}, "removed", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM residents WHERE import_id = $1`, importID)
		if err != nil {
			return fmt.Errorf("delete residents: %w", err)
		}
		if err := rededupe(ctx, tx, caseID); err != nil {
			return err
		}
		if err := RefreshSummary(ctx, tx, caseID); err != nil {
			return err
		}
		return cases.RecordEvent(ctx, tx, caseID, actor, "residents.import_removed", map[string]any{
			"import_id": importID, "residents_removed": tag.RowsAffected(), "reason": reason,
		})
	})
}

// rededupe decides duplicates again over all of a case's residents and
// stores the rows whose status changed. It keeps only the changes in
// memory, besides the de-duplicator's keys.
func rededupe(ctx context.Context, tx pgx.Tx, caseID int64) error {
	n, err := keptCount(ctx, tx, caseID) // before a removal's recount: room enough
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT import_id, line, bi_crm_id, bi_email, bi_name_addr, dup_of_import, dup_of_line, coalesce(dup_reason, '')
		FROM residents WHERE case_id = $1 ORDER BY import_id, line`, caseID)
	if err != nil {
		return fmt.Errorf("load residents: %w", err)
	}
	type change struct {
		r, root ref
		reason  string
		dup     bool
	}
	var changes []change
	dd := newDedupe(n)
	defer dd.release()
	for rows.Next() {
		var r ref
		var a, b, c []byte
		var oi, ol *int64
		var reason string
		if err := rows.Scan(&r.importID, &r.line, &a, &b, &c, &oi, &ol, &reason); err != nil {
			rows.Close()
			return err
		}
		root, why, dup := dd.add(r, a, b, c)
		storedDup := oi != nil
		if dup != storedDup || (dup && (root != ref{*oi, *ol} || why != reason)) {
			changes = append(changes, change{r: r, root: root, reason: why, dup: dup})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Records demoted after they were read come last, so they win.
	for r, d := range dd.demotions() {
		changes = append(changes, change{r: r, root: d.root, reason: d.reason, dup: true})
	}
	for _, ch := range changes {
		var err error
		if ch.dup {
			_, err = tx.Exec(ctx, `UPDATE residents SET dup_of_import = $3, dup_of_line = $4, dup_reason = $5 WHERE import_id = $1 AND line = $2`,
				ch.r.importID, ch.r.line, ch.root.importID, ch.root.line, ch.reason)
		} else {
			_, err = tx.Exec(ctx, `UPDATE residents SET dup_of_import = NULL, dup_of_line = NULL, dup_reason = NULL WHERE import_id = $1 AND line = $2`,
				ch.r.importID, ch.r.line)
		}
		if err != nil {
			return fmt.Errorf("update duplicate: %w", err)
		}
	}
	return nil
}

// ErrorReport returns the bad rows of an import, by line.
func (s *Service) ErrorReport(ctx context.Context, caseID, importID int64, each func(LineError) error) error {
	if _, err := s.Import(ctx, caseID, importID); err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, `SELECT line, col, reason FROM import_errors WHERE import_id = $1 ORDER BY line`, importID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e LineError
		if err := rows.Scan(&e.Line, &e.Column, &e.Reason); err != nil {
			return err
		}
		if err := each(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
