package cases

import (
	"context"
	"fmt"
	"strings"
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
	// NextDue is the soonest deadline among the primary and extra clocks.
	NextDue time.Time
}

// ListFilter selects cases for the list. The zero value lists open cases.
type ListFilter struct {
	Status  string // one of Statuses, "all", or "" for every status but closed
	OwnerID int64  // 0 for anyone
	Overdue bool   // only cases with a clock that has run out
	Query   string // matched against reference and title, case-insensitively
	Page    int    // from 1
	PerPage int    // default 25, at most 200
}

// ListPage is a page of cases and how many matched in all.
type ListPage struct {
	Items   []ListItem
	Total   int
	Page    int
	PerPage int
}

// Pages returns the number of pages.
func (p ListPage) Pages() int {
	if p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// List returns the cases matching f, nearest deadline first, the older
// case breaking ties. It returns a *ValidationError for an unknown
// status.
func (s *Service) List(ctx context.Context, f ListFilter) (ListPage, error) {
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	f.PerPage = min(f.PerPage, 200)
	f.Page = max(f.Page, 1)
	if f.Status != "" && f.Status != "all" && !valid(Statuses, f.Status) {
		return ListPage{}, &ValidationError{Fields: map[string]string{"status": fmt.Sprintf("Unknown status %q.", f.Status)}}
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	switch f.Status {
	case "":
		where = append(where, "c.status <> 'closed'")
	case "all":
	default:
		where = append(where, "c.status = "+arg(f.Status))
	}
	if f.OwnerID != 0 {
		where = append(where, "c.owner_id = "+arg(f.OwnerID))
	}
	if f.Overdue {
		where = append(where, "c.next_due_at < now()")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
		p := arg(like)
		where = append(where, "(c.reference ILIKE "+p+" OR c.title ILIKE "+p+")")
	}
	cond := "true"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	page := ListPage{Page: f.Page, PerPage: f.PerPage}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM cases c WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count cases: %w", err)
	}
	limit, offset := arg(f.PerPage), arg((f.Page-1)*f.PerPage)
	rows, err := s.pool.Query(ctx, `
		SELECT c.reference, c.title, c.status, c.severity, u.display_name,
		       c.discovered_at + make_interval(hours => c.primary_clock_hours), c.next_due_at
		FROM cases c JOIN users u ON u.id = c.owner_id
		WHERE `+cond+`
		ORDER BY c.next_due_at, c.id
		LIMIT `+limit+` OFFSET `+offset, args...)
	if err != nil {
		return page, fmt.Errorf("list cases: %w", err)
	}
	page.Items, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ListItem])
	return page, err
}
