package residents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
)

// SavedMapping is a named column mapping.
type SavedMapping struct {
	ID      int64
	Name    string
	Mapping Mapping
}

func saveMapping(ctx context.Context, tx pgx.Tx, actor cases.Actor, name string, m Mapping) error {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 120 {
		return &cases.ValidationError{Fields: map[string]string{"save_as": "Name the mapping (1 to 120 characters)."}}
	}
	body, _ := json.Marshal(m)
	_, err := tx.Exec(ctx, `INSERT INTO import_mappings (name, mapping, created_by) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping`, name, body, actor.UserID())
	if err != nil {
		return fmt.Errorf("save mapping: %w", err)
	}
	return nil
}

// Mappings returns the saved mappings by name.
func (s *Service) Mappings(ctx context.Context) ([]SavedMapping, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, mapping FROM import_mappings ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list mappings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SavedMapping, error) {
		var m SavedMapping
		var body []byte
		if err := r.Scan(&m.ID, &m.Name, &body); err != nil {
			return m, err
		}
		return m, json.Unmarshal(body, &m.Mapping)
	})
}

// MappingByName returns a saved mapping, or ErrNotFound.
func (s *Service) MappingByName(ctx context.Context, name string) (Mapping, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT mapping FROM import_mappings WHERE name = $1`, name).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, err
	}
	var m Mapping
	return m, json.Unmarshal(body, &m)
}
