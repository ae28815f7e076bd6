package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Task is one remediation step of a case.
type Task struct {
	ID          int64
	CaseID      int64
	Position    int
	Phase       string
	Title       string
	Detail      string
	OwnerID     *int64
	OwnerName   string
	DueAt       time.Time
	Status      string
	NAReason    string
	Version     int
	CompletedAt *time.Time
}

// TaskStatuses are the states of a task.
var TaskStatuses = []Option{{"open", "Open"}, {"in_progress", "In progress"}, {"done", "Done"}, {"not_applicable", "Not applicable"}}

// Tasks returns the case's tasks in playbook order.
func (s *Service) Tasks(ctx context.Context, caseID int64) ([]Task, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT t.id, t.case_id, t.position, t.phase, t.title, t.detail, t.owner_id, coalesce(u.display_name, ''),
			t.due_at, t.status, t.na_reason, t.version, t.completed_at
		FROM case_tasks t LEFT JOIN users u ON u.id = t.owner_id
		WHERE t.case_id = $1 ORDER BY t.position, t.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) {
		var t Task
		err := r.Scan(&t.ID, &t.CaseID, &t.Position, &t.Phase, &t.Title, &t.Detail, &t.OwnerID, &t.OwnerName,
			&t.DueAt, &t.Status, &t.NAReason, &t.Version, &t.CompletedAt)
		return t, err
	})
}

// SetTaskStatus moves a task of case ref to status if the task is still at
// version; UpdateTask with the owner unchanged.
func (s *Service) SetTaskStatus(ctx context.Context, actor Actor, ref string, taskID int64, version int, status, reason string) error {
	return s.UpdateTask(ctx, actor, ref, taskID, version, TaskChange{Status: status, Reason: reason})
}

// TaskChange is an edit of a task. OwnerID 0 leaves the owner as it is.
type TaskChange struct {
	Status  string
	OwnerID int64
	Reason  string
}

// UpdateTask changes a task's status and owner if the task is still at
// version, recording one "task.status" and/or "task.owner" event.
// "not_applicable" needs a reason. Errors: ErrNotFound, ErrStale, ErrClosed
// (the case is closed), or a *ValidationError (unknown status, missing
// reason, an owner who is not an active user).
func (s *Service) UpdateTask(ctx context.Context, actor Actor, ref string, taskID int64, version int, ch TaskChange) error {
	reason := strings.TrimSpace(ch.Reason)
	if !valid(TaskStatuses, ch.Status) {
		return &ValidationError{Fields: map[string]string{"status": fmt.Sprintf("Unknown task status %q.", ch.Status)}}
	}
	if ch.Status == "not_applicable" && reason == "" {
		return &ValidationError{Fields: map[string]string{"reason": "Say why the task does not apply."}}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, 0)
		if err != nil {
			return err
		}
		var t Task
		err = tx.QueryRow(ctx, `SELECT t.id, t.title, t.status, t.version, t.owner_id, coalesce(u.display_name, '')
			FROM case_tasks t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = $1 AND t.case_id = $2`, taskID, c.ID).
			Scan(&t.ID, &t.Title, &t.Status, &t.Version, &t.OwnerID, &t.OwnerName)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("load task: %w", err)
		}
		if t.Version != version {
			return ErrStale
		}
		if ch.Status != t.Status {
			naReason := ""
			if ch.Status == "not_applicable" {
				naReason = reason
			}
			if _, err := tx.Exec(ctx, `
				UPDATE case_tasks SET status = $2, na_reason = $3, version = version + 1,
					completed_at = CASE WHEN $2 IN ('done', 'not_applicable') THEN now() END
				WHERE id = $1`, t.ID, ch.Status, naReason); err != nil {
				return fmt.Errorf("update task: %w", err)
			}
			if err := appendEvent(ctx, tx, c.ID, actor, "task.status", map[string]any{
				"task_id": t.ID, "title": t.Title, "from": t.Status, "to": ch.Status, "reason": reason,
			}); err != nil {
				return err
			}
		}
		if ch.OwnerID != 0 && (t.OwnerID == nil || *t.OwnerID != ch.OwnerID) {
			if err := checkOwner(ctx, tx, ch.OwnerID); err != nil {
				return err
			}
			var name string
			if err := tx.QueryRow(ctx, `UPDATE case_tasks t SET owner_id = $2, version = t.version + 1 FROM users u
				WHERE t.id = $1 AND u.id = $2 RETURNING u.display_name`, t.ID, ch.OwnerID).Scan(&name); err != nil {
				return fmt.Errorf("update task owner: %w", err)
			}
			return appendEvent(ctx, tx, c.ID, actor, "task.owner", map[string]any{
				"task_id": t.ID, "title": t.Title, "from": t.OwnerName, "to": name,
			})
		}
		return nil
	})
}

// MyTask is an open task of a user, with its case.
type MyTask struct {
	Task
	CaseReference string
	CaseTitle     string
}

// MyTasks returns the open and in-progress tasks owned by userID on cases
// that are not closed, overdue first, then by due time.
func (s *Service) MyTasks(ctx context.Context, userID int64) ([]MyTask, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT t.id, t.case_id, t.position, t.phase, t.title, t.detail, t.owner_id, '', t.due_at, t.status,
		       t.na_reason, t.version, t.completed_at, c.reference, c.title
		FROM case_tasks t JOIN cases c ON c.id = t.case_id
		WHERE t.owner_id = $1 AND t.status IN ('open', 'in_progress') AND c.status <> 'closed'
		ORDER BY t.due_at, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("my tasks: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MyTask, error) {
		var t MyTask
		err := r.Scan(&t.ID, &t.CaseID, &t.Position, &t.Phase, &t.Title, &t.Detail, &t.OwnerID, &t.OwnerName,
			&t.DueAt, &t.Status, &t.NAReason, &t.Version, &t.CompletedAt, &t.CaseReference, &t.CaseTitle)
		return t, err
	})
}
