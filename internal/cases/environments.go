package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvStep is a task's progress in one environment.
type EnvStep struct {
	TaskID      int64
	Position    int
	Environment string
	Status      string
	StatusAt    *time.Time
	Note        string
	Version     int
}

// EnvStatuses are the states of a task in one environment.
var EnvStatuses = []Option{{"pending", "Pending"}, {"in_progress", "In progress"}, {"verified", "Verified"}, {"failed", "Failed"}}

// TrackEnvironments starts tracking a task per environment, one step for
// each of the organisation's environments, in order. Tracking twice does
// nothing. Errors: ErrNotFound, ErrClosed.
func (s *Service) TrackEnvironments(ctx context.Context, actor Actor, ref string, taskID int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, 0)
		if err != nil {
			return err
		}
		var title string
		if err := tx.QueryRow(ctx, `SELECT title FROM case_tasks WHERE id = $1 AND case_id = $2`, taskID, c.ID).Scan(&title); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO task_environments (task_id, position, environment)
			SELECT $1, e.position, e.name FROM org_settings, unnest(environments) WITH ORDINALITY AS e(name, position)
			ON CONFLICT DO NOTHING`, taskID)
		if err != nil {
			return fmt.Errorf("track environments: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return appendEvent(ctx, tx, c.ID, actor, "task.environments", map[string]any{"task_id": taskID, "task": title})
	})
}

// SetEnvStatus records a task's status in one environment with a
// verification note, if the step is still at version. Errors: ErrNotFound,
// ErrStale, ErrClosed, or a *ValidationError ("verified" and "failed" need a
// note saying what was checked).
func (s *Service) SetEnvStatus(ctx context.Context, actor Actor, ref string, taskID int64, env string, version int, status, note string) error {
	note = strings.TrimSpace(note)
	if !valid(EnvStatuses, status) {
		return &ValidationError{Fields: map[string]string{"status": fmt.Sprintf("Unknown status %q.", status)}}
	}
	if (status == "verified" || status == "failed") && note == "" {
		return &ValidationError{Fields: map[string]string{"note": "Say what was checked and what was seen."}}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, 0)
		if err != nil {
			return err
		}
		var from string
		var current int
		err = tx.QueryRow(ctx, `
			SELECT e.status, e.version FROM task_environments e JOIN case_tasks t ON t.id = e.task_id
			WHERE e.task_id = $1 AND e.environment = $2 AND t.case_id = $3`, taskID, env, c.ID).Scan(&from, &current)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if current != version {
			return ErrStale
		}
		if _, err := tx.Exec(ctx, `UPDATE task_environments SET status = $3, note = $4, status_at = now(), version = version + 1
			WHERE task_id = $1 AND environment = $2`, taskID, env, status, note); err != nil {
			return fmt.Errorf("update environment: %w", err)
		}
		return appendEvent(ctx, tx, c.ID, actor, "task.environment", map[string]any{
			"task_id": taskID, "environment": env, "from": from, "to": status, "note": note,
		})
	})
}

// Environments returns the environment steps of every tracked task of the
// case, by task and position.
func (s *Service) Environments(ctx context.Context, caseID int64) (map[int64][]EnvStep, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT e.task_id, e.position, e.environment, e.status, e.status_at, e.note, e.version
		FROM task_environments e JOIN case_tasks t ON t.id = e.task_id
		WHERE t.case_id = $1 ORDER BY e.task_id, e.position`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list environments: %w", err)
	}
	steps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[EnvStep])
	if err != nil {
		return nil, err
	}
	out := map[int64][]EnvStep{}
	for _, st := range steps {
		out[st.TaskID] = append(out[st.TaskID], st)
	}
	return out, nil
}

// OrderWarnings names the steps that went ahead of an earlier environment
// that is not verified: a patch in production that was never verified in
// the sandbox.
func OrderWarnings(steps []EnvStep) []string {
	var out []string
	for i, st := range steps {
		if st.Status != "in_progress" && st.Status != "verified" {
			continue
		}
		for _, earlier := range steps[:i] {
			if earlier.Status != "verified" {
				out = append(out, fmt.Sprintf("%s is %s but %s is not verified.",
					st.Environment, strings.ReplaceAll(st.Status, "_", " "), earlier.Environment))
				break
			}
		}
	}
	return out
}
