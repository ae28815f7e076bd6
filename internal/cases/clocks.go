package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Deadline is one clock of a case: a label and the absolute instant it
// runs out, computed on the server.
type Deadline struct {
	Label string
	Due   time.Time
	// Source says where the deadline comes from ("primary", "extra", and
	// later the jurisdiction rules).
	Source string
}

// Band is how urgent a deadline is at a moment.
type Band string

// The bands: more than 24 h left, under 24 h, under 6 h, past due.
const (
	BandOK       Band = "ok"
	BandSoon     Band = "soon"
	BandCritical Band = "critical"
	BandOverdue  Band = "overdue"
)

// BandAt returns the band of d at now.
func (d Deadline) BandAt(now time.Time) Band {
	left := d.Due.Sub(now)
	switch {
	case left <= 0:
		return BandOverdue
	case left < 6*time.Hour:
		return BandCritical
	case left < 24*time.Hour:
		return BandSoon
	}
	return BandOK
}

// Clock is an extra clock an officer added to a case.
type Clock struct {
	ID       int64
	Label    string
	AnchorAt time.Time
	Hours    int
}

// Deadlines returns the case's primary clock followed by its extra clocks,
// soonest first after the primary.
func (s *Service) Deadlines(ctx context.Context, c Case) ([]Deadline, error) {
	out := []Deadline{{
		Label:  fmt.Sprintf("%d-hour notification clock", c.PrimaryClockHours),
		Due:    c.DiscoveredAt.Add(time.Duration(c.PrimaryClockHours) * time.Hour),
		Source: "primary",
	}}
	rows, err := s.pool.Query(ctx, `SELECT id, label, anchor_at, hours FROM case_clocks WHERE case_id = $1
		ORDER BY anchor_at + make_interval(hours => hours), id`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("list clocks: %w", err)
	}
	clocks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Clock])
	if err != nil {
		return nil, fmt.Errorf("list clocks: %w", err)
	}
	for _, k := range clocks {
		out = append(out, Deadline{Label: k.Label, Due: k.AnchorAt.Add(time.Duration(k.Hours) * time.Hour), Source: "extra"})
	}
	return out, nil
}

// AddClock adds an extra clock of hours from anchor to the case. Errors:
// ErrNotFound, ErrClosed, or a *ValidationError.
func (s *Service) AddClock(ctx context.Context, actor Actor, ref, label string, anchor time.Time, hours int) error {
	label = strings.TrimSpace(label)
	v := map[string]string{}
	if label == "" || len([]rune(label)) > 120 {
		v["label"] = "Give the clock a label of 1 to 120 characters."
	}
	if anchor.IsZero() {
		v["anchor_at"] = "Enter when the clock starts."
	}
	if hours <= 0 || hours > 24*366 {
		v["hours"] = "Enter a length between 1 hour and a year."
	}
	if len(v) > 0 {
		return &ValidationError{Fields: v}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, 0)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_clocks (case_id, label, anchor_at, hours) VALUES ($1, $2, $3, $4)`,
			c.ID, label, anchor, hours); err != nil {
			return fmt.Errorf("insert clock: %w", err)
		}
		return appendEvent(ctx, tx, c.ID, actor, "clock.added", map[string]any{
			"label": label, "anchor_at": anchor.UTC().Format(time.RFC3339), "hours": hours,
			"due": anchor.Add(time.Duration(hours) * time.Hour).UTC().Format(time.RFC3339),
		})
	})
}
