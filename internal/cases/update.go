package cases

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
)

// anchorFields are the facts that start legal clocks; changing one needs a
// reason, recorded on the timeline.
var anchorFields = []string{"occurred_from", "occurred_to", "discovered_at", "determined_at", "contained_at", "material_at"}

// Change is one field's value before and after an edit.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// lockCase reads the case for update inside tx and checks that it is still
// at version (0 skips the check) and open.
func lockCase(ctx context.Context, tx pgx.Tx, ref string, version int) (Case, error) {
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases c JOIN users u ON u.id = c.owner_id
		WHERE c.reference = $1 FOR NO KEY UPDATE OF c`, ref))
	if err != nil {
		return c, err
	}
	if version != 0 && c.Version != version {
		return c, ErrStale
	}
	if c.Closed() {
		return c, ErrClosed
	}
	return c, nil
}

// Update replaces the case's facts with f if the case is still at version.
// A change to a time anchor needs a reason. It records one "case.updated"
// event listing each changed field before and after; with nothing changed
// it records nothing. Errors: ErrNotFound, ErrStale, ErrClosed, or a
// *ValidationError.
func (s *Service) Update(ctx context.Context, actor Actor, ref string, version int, f Facts, reason string) (Case, error) {
	if err := f.validate(s.now()); err != nil {
		return Case{}, err
	}
	reason = strings.TrimSpace(reason)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, version)
		if err != nil {
			return err
		}
		before, after := factMap(c.Facts), factMap(f)
		changes := map[string]Change{}
		for k, v := range after {
			if !reflect.DeepEqual(before[k], v) {
				changes[k] = Change{From: before[k], To: v}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		for _, a := range anchorFields {
			if _, ok := changes[a]; ok && reason == "" {
				return &ValidationError{Fields: map[string]string{"reason": "Changing a time that starts legal clocks needs a reason."}}
			}
		}
		if _, ok := changes["owner_id"]; ok {
			if err := checkOwner(ctx, tx, f.OwnerID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			UPDATE cases SET title = $2, summary = $3, severity = $4, owner_id = $5, occurred_from = $6,
				occurred_to = $7, discovered_at = $8, determined_at = $9, contained_at = $10,
				affected_systems = $11, attack_vector = $12, data_elements = $13, encrypted = $14,
				key_compromised = $15, acquired = $16, harm_found = $17, harm_text = $18, le_agency = $19,
				le_requested_on = $20, le_until = $21, le_reference = $22, material_at = $23,
				version = version + 1, updated_at = now()
			WHERE id = $1`,
			c.ID, f.Title, f.Summary, f.Severity, f.OwnerID, f.OccurredFrom, f.OccurredTo, f.DiscoveredAt,
			f.DeterminedAt, f.ContainedAt, f.AffectedSystems, f.AttackVector, f.DataElements, f.Encrypted,
			f.KeyCompromised, f.Acquired, f.HarmFound, f.HarmText, f.LEAgency, f.LERequestedOn, f.LEUntil, f.LEReference, f.MaterialAt)
		if err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		return appendEvent(ctx, tx, c.ID, actor, "case.updated", map[string]any{"changes": changes, "reason": reason})
	})
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, ref)
}

// SetStatus moves the case to status. Closing and reopening are recorded
// as their own event kinds; reopening needs a reason. A closed case can
// only be reopened. Errors as for Update.
func (s *Service) SetStatus(ctx context.Context, actor Actor, ref string, version int, status, reason string) (Case, error) {
	if !valid(Statuses, status) {
		return Case{}, &ValidationError{Fields: map[string]string{"status": fmt.Sprintf("Unknown status %q.", status)}}
	}
	reason = strings.TrimSpace(reason)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, version)
		kind := "case.status"
		switch {
		case errors.Is(err, ErrClosed):
			if status == "closed" {
				return ErrClosed
			}
			if reason == "" {
				return &ValidationError{Fields: map[string]string{"reason": "Say why the case is reopened."}}
			}
			kind = "case.reopened"
		case err != nil:
			return err
		case c.Status == status:
			return nil
		case status == "closed":
			kind = "case.closed"
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`, c.ID, status); err != nil {
			return fmt.Errorf("update status: %w", err)
		}
		return appendEvent(ctx, tx, c.ID, actor, kind, map[string]any{"from": c.Status, "to": status, "reason": reason})
	})
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, ref)
}

// AddNote adds a free note to the case's timeline. Errors: ErrNotFound,
// ErrClosed, or a *ValidationError for an empty or over-long note.
func (s *Service) AddNote(ctx context.Context, actor Actor, ref, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 20000 {
		return &ValidationError{Fields: map[string]string{"note": "Write a note of 1 to 20,000 characters."}}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lockCase(ctx, tx, ref, 0)
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, c.ID, actor, "note", map[string]any{"text": text})
	})
}
