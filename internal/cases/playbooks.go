package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Playbook is a template of remediation tasks.
type Playbook struct {
	ID          int64
	Name        string
	Description string
	Tasks       []PlaybookTask
}

// PlaybookTask is one task of a playbook, due a number of hours after
// discovery.
type PlaybookTask struct {
	ID             int64
	Position       int
	Phase          string
	Title          string
	Detail         string
	DueOffsetHours int
}

// Playbooks returns every playbook with its tasks, by name.
func (s *Service) Playbooks(ctx context.Context) ([]Playbook, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, description FROM playbooks ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list playbooks: %w", err)
	}
	pbs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Playbook, error) {
		var p Playbook
		return p, r.Scan(&p.ID, &p.Name, &p.Description)
	})
	if err != nil {
		return nil, fmt.Errorf("list playbooks: %w", err)
	}
	byID := map[int64]*Playbook{}
	for i := range pbs {
		byID[pbs[i].ID] = &pbs[i]
	}
	rows, err = s.pool.Query(ctx, `SELECT playbook_id, id, position, phase, title, detail, due_offset_hours
		FROM playbook_tasks ORDER BY playbook_id, position`)
	if err != nil {
		return nil, fmt.Errorf("list playbook tasks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var t PlaybookTask
		if err := rows.Scan(&pid, &t.ID, &t.Position, &t.Phase, &t.Title, &t.Detail, &t.DueOffsetHours); err != nil {
			return nil, err
		}
		if p := byID[pid]; p != nil {
			p.Tasks = append(p.Tasks, t)
		}
	}
	return pbs, rows.Err()
}

// CreatePlaybook adds an empty playbook. Errors: a *ValidationError for an
// empty or used name.
func (s *Service) CreatePlaybook(ctx context.Context, name, description string) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 120 || strings.EqualFold(name, "none") {
		return 0, &ValidationError{Fields: map[string]string{"name": "Give the playbook a name of 1 to 120 characters (not \"none\")."}}
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO playbooks (name, description) VALUES ($1, $2) RETURNING id`,
		name, strings.TrimSpace(description)).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, &ValidationError{Fields: map[string]string{"name": "A playbook with this name exists."}}
	}
	return id, err
}

// AddPlaybookTask appends a task to a playbook. Cases opened before keep
// their tasks. Errors: ErrNotFound or a *ValidationError.
func (s *Service) AddPlaybookTask(ctx context.Context, playbookID int64, t PlaybookTask) error {
	t.Title, t.Phase, t.Detail = strings.TrimSpace(t.Title), strings.TrimSpace(t.Phase), strings.TrimSpace(t.Detail)
	v := map[string]string{}
	if t.Title == "" || len(t.Title) > 200 {
		v["title"] = "Give the task a title of 1 to 200 characters."
	}
	if t.Phase == "" || len(t.Phase) > 40 {
		v["phase"] = "Name the phase (Contain, Eradicate, Notify…), at most 40 characters."
	}
	if t.DueOffsetHours < 0 || t.DueOffsetHours > 24*366 {
		v["due_offset_hours"] = "Enter hours after discovery, from 0 to a year."
	}
	if len(v) > 0 {
		return &ValidationError{Fields: v}
	}
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO playbook_tasks (playbook_id, position, phase, title, detail, due_offset_hours)
		SELECT p.id, coalesce((SELECT max(position) FROM playbook_tasks WHERE playbook_id = p.id), 0) + 1, $2, $3, $4, $5
		FROM playbooks p WHERE p.id = $1`, playbookID, t.Phase, t.Title, t.Detail, t.DueOffsetHours)
	if err != nil {
		return fmt.Errorf("add playbook task: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// RemovePlaybookTask deletes a task from a playbook; cases that already
// have it keep it. Errors: ErrNotFound.
func (s *Service) RemovePlaybookTask(ctx context.Context, playbookID, taskID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM playbook_tasks WHERE id = $1 AND playbook_id = $2`, taskID, playbookID)
	if err != nil {
		return fmt.Errorf("remove playbook task: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
