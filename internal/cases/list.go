package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListItem is one row of the case list.
type ListItem struct {
	Reference  string
	Title      string
	Status     string
	Severity   string
	OwnerName  string
	PrimaryDue time.Time
}

// ListOpen returns the cases that are not closed, nearest primary deadline
// first, at most limit of them.
func (s *Service) ListOpen(ctx context.Context, limit int) ([]ListItem, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.reference, c.title, c.status, c.severity, u.display_name,
		       c.discovered_at + make_interval(hours => c.primary_clock_hours) AS due
		FROM cases c JOIN users u ON u.id = c.owner_id
		WHERE c.status <> 'closed'
		ORDER BY due, c.id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ListItem])
}
