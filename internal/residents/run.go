package residents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
	"breachdesk/internal/db"
)

// Execute runs a queued import: from src when given (the CLI streams a
// local file), else from its upload in Postgres. It marks the import
// running, reports progress on the import row (where the page reads it and
// where a cancel request is picked up) and to progress when not nil, and
// records the outcome, on the case timeline too. The import's residents
// and counts commit together, or nothing does.
func (s *Service) Execute(ctx context.Context, importID int64, src io.Reader, progress func(Progress)) (Result, error) {
	var caseID int64
	var actor cases.Actor
	err := s.pool.QueryRow(ctx, `
		UPDATE resident_imports i SET status = 'running', started_at = now(), progress_at = now(), bytes_read = 0,
			rows_read = 0, rows_imported = 0, rows_bad = 0, duplicates = 0, error = ''
		FROM (SELECT id FROM resident_imports WHERE id = $1 AND status = 'queued' FOR UPDATE) q
		WHERE i.id = q.id
		RETURNING i.case_id, coalesce(i.created_by, 0), coalesce((SELECT email FROM users WHERE id = i.created_by), 'system')`,
		importID).Scan(&caseID, &actor.ID, &actor.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return Result{}, ErrState // cancelled before it started, or run already
	}
	if err != nil {
		return Result{}, fmt.Errorf("start import: %w", err)
	}
	imp, err := s.Import(ctx, caseID, importID)
	if err != nil {
		return Result{}, err
	}
	if src == nil {
		src = &chunkReader{ctx: ctx, s: s, id: importID}
	}
	home := s.HomeCountry // the organisation's setting, when made, wins over the server's
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(home_country, $1) FROM org_settings`, home).Scan(&home); err != nil {
		return Result{}, fmt.Errorf("read home country: %w", err)
	}
	opts := RunOptions{
		ImportID: importID, CaseID: caseID, Encoding: imp.Encoding, Mapping: imp.Mapping, AddressOrder: imp.AddressOrder,
		HomeCountry: home, AcceptBadRows: imp.AcceptBadRows, SizeHint: imp.SizeBytes,
		Progress: func(p Progress) bool {
			if progress != nil {
				progress(p)
			}
			var cancel bool
			err := s.pool.QueryRow(ctx, `UPDATE resident_imports SET bytes_read = $2, rows_read = $3, rows_bad = $4, progress_at = now()
				WHERE id = $1 RETURNING cancel_requested`, importID, p.BytesRead, p.RowsRead, p.Bad).Scan(&cancel)
			return err == nil && cancel
		},
	}
	finish := func(ctx context.Context, tx pgx.Tx, res Result) error {
		if _, err := tx.Exec(ctx, `UPDATE resident_imports SET status = 'completed', encoding = $2, rows_read = $3, rows_imported = $4,
			rows_bad = $5, duplicates = $6, bytes_read = size_bytes, progress_at = now(), finished_at = now() WHERE id = $1`,
			importID, res.Encoding, res.RowsRead, res.Imported, res.Bad, res.Duplicates); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM import_chunks WHERE import_id = $1`, importID); err != nil {
			return err
		}
		return cases.RecordEvent(ctx, tx, caseID, actor, "residents.imported", map[string]any{
			"import_id": importID, "file_name": imp.FileName, "sha256": imp.SHA256, "rows_read": res.RowsRead,
			"imported": res.Imported, "bad_rows": res.Bad, "duplicates": res.Duplicates, "encoding": res.Encoding,
		})
	}
	res, runErr := s.importer.Run(ctx, opts, src, finish)
	// The outcome is recorded even if ctx ended (a cancelled job).
	out := context.WithoutCancel(ctx)
	switch {
	case runErr == nil && res.Committed:
		return res, s.writeErrors(out, importID, res.Errors)
	case runErr == nil:
		return res, s.settle(out, caseID, importID, actor, "review", "", res, "residents.import_review")
	case errors.Is(runErr, ErrCancelled) || (errors.Is(runErr, context.Canceled) && s.cancelAsked(out, importID)):
		return res, errors.Join(ErrCancelled, s.settle(out, caseID, importID, actor, "cancelled", ErrCancelled.Error(), res, "residents.import_cancelled"))
	default:
		msg := describeFailure(runErr)
		var le *LineError
		if errors.As(runErr, &le) {
			res.Errors = append(res.Errors, *le)
		}
		return res, errors.Join(runErr, s.settle(out, caseID, importID, actor, "failed", msg, res, "residents.import_failed"))
	}
}

func (s *Service) cancelAsked(ctx context.Context, importID int64) bool {
	var asked bool
	s.pool.QueryRow(ctx, `SELECT cancel_requested FROM resident_imports WHERE id = $1`, importID).Scan(&asked)
	return asked
}

// settle records an import that did not commit: its status, reason and
// error report, and a timeline event.
func (s *Service) settle(ctx context.Context, caseID, importID int64, actor cases.Actor, status, msg string, res Result, kind string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE resident_imports SET status = $2, error = $3, rows_read = $4, rows_bad = $5,
			rows_imported = 0, duplicates = 0, encoding = coalesce(nullif($6, ''), encoding), finished_at = now(), cancel_requested = false
			WHERE id = $1`, importID, status, msg, res.RowsRead, res.Bad, res.Encoding); err != nil {
			return err
		}
		return cases.RecordAccess(ctx, tx, caseID, actor, kind, map[string]any{
			"import_id": importID, "rows_read": res.RowsRead, "bad_rows": res.Bad, "reason": msg,
		})
	})
	if err != nil {
		return fmt.Errorf("record import outcome: %w", err)
	}
	return s.writeErrors(ctx, importID, res.Errors)
}

// writeErrors replaces the import's error report.
func (s *Service) writeErrors(ctx context.Context, importID int64, errs []LineError) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM import_errors WHERE import_id = $1`, importID); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_errors"}, []string{"import_id", "line", "col", "reason"},
			pgx.CopyFromSlice(len(errs), func(i int) ([]any, error) {
				return []any{importID, errs[i].Line, errs[i].Column, errs[i].Reason}, nil
			}))
		return err
	})
}

// describeFailure words an import failure for the officer.
func describeFailure(err error) string {
	var le *LineError
	switch {
	case errors.As(err, &le):
		return "Stopped at " + le.Error() + ". Nothing was imported."
	case errors.Is(err, ErrNotCSV):
		return capitalize(err.Error()) + ". Nothing was imported."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "The import was interrupted because the server stopped. Nothing was imported; start it again."
	case db.IsUnavailable(err):
		return "The database connection was lost during the import. Nothing was imported; start it again."
	case errors.Is(err, ErrWrongMasterKey), errors.Is(err, ErrKeyDestroyed):
		return capitalize(err.Error()) + "."
	case strings.Contains(err.Error(), "no column"), strings.Contains(err.Error(), "mapping"):
		return capitalize(err.Error()) + ". Nothing was imported."
	}
	return "The import failed unexpectedly and was logged. Nothing was imported."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// MarkInterrupted fails imports left running by a process that died (no
// progress for two minutes), so their page says so and they can be
// started again.
func (s *Service) MarkInterrupted(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE resident_imports SET status = 'failed', finished_at = now(),
		error = 'The import was interrupted (the server or the database restarted). Nothing was imported; start it again.'
		WHERE status = 'running' AND progress_at < now() - interval '2 minutes'`)
	return tag.RowsAffected(), err
}
