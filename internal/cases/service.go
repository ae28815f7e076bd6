package cases

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service reads and changes cases in Postgres. Each public method is one
// transaction: the change and its timeline event commit together.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns a Service on pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// NewCase is the input for opening a case.
type NewCase struct {
	Facts
	// Playbook names the playbook whose tasks the case gets; "" for the
	// default "CRM data leak", "none" for no tasks.
	Playbook string
}

// DefaultPlaybook is the playbook a case gets when none is named.
const DefaultPlaybook = "CRM data leak"

const caseColumns = `c.id, c.reference, c.status, c.title, c.summary, c.severity, c.owner_id, u.display_name,
	c.occurred_from, c.occurred_to, c.discovered_at, c.determined_at, c.contained_at, c.material_at,
	c.affected_systems, c.attack_vector, c.data_elements, c.encrypted, c.key_compromised, c.acquired,
	c.harm_found, c.harm_text, c.le_agency, c.le_requested_on, c.le_until, c.le_reference,
	c.primary_clock_hours, c.playbook_id, c.version, c.created_at, c.updated_at`

func scanCase(row pgx.Row) (Case, error) {
	var c Case
	err := row.Scan(&c.ID, &c.Reference, &c.Status, &c.Title, &c.Summary, &c.Severity, &c.OwnerID, &c.OwnerName,
		&c.OccurredFrom, &c.OccurredTo, &c.DiscoveredAt, &c.DeterminedAt, &c.ContainedAt, &c.MaterialAt,
		&c.AffectedSystems, &c.AttackVector, &c.DataElements, &c.Encrypted, &c.KeyCompromised, &c.Acquired,
		&c.HarmFound, &c.HarmText, &c.LEAgency, &c.LERequestedOn, &c.LEUntil, &c.LEReference,
		&c.PrimaryClockHours, &c.PlaybookID, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Case{}, ErrNotFound
	}
	return c, err
}

// Open validates in and creates the case with the next reference of the
// year (BR-2026-0007), the playbook's tasks due from the discovery time,
// and its first timeline event. It returns a *ValidationError for bad input,
// an unknown owner or playbook included.
func (s *Service) Open(ctx context.Context, actor Actor, in NewCase) (Case, error) {
	now := s.now()
	if err := in.validate(now); err != nil {
		return Case{}, err
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkOwner(ctx, tx, in.OwnerID); err != nil {
			return err
		}
		var playbookID *int64
		if in.Playbook != "none" {
			name := in.Playbook
			if name == "" {
				name = DefaultPlaybook
			}
			var pid int64
			if err := tx.QueryRow(ctx, `SELECT id FROM playbooks WHERE name = $1`, name).Scan(&pid); errors.Is(err, pgx.ErrNoRows) {
				return &ValidationError{Fields: map[string]string{"playbook": fmt.Sprintf("There is no playbook named %q.", name)}}
			} else if err != nil {
				return fmt.Errorf("find playbook: %w", err)
			}
			playbookID = &pid
		}
		year := now.UTC().Year()
		var seq int
		if err := tx.QueryRow(ctx, `
			INSERT INTO case_ref_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = case_ref_counters.last + 1 RETURNING last`, year).Scan(&seq); err != nil {
			return fmt.Errorf("next reference: %w", err)
		}
		ref := fmt.Sprintf("BR-%d-%04d", year, seq)
		f := in.Facts
		err := tx.QueryRow(ctx, `
			INSERT INTO cases (reference, title, summary, severity, owner_id, occurred_from, occurred_to,
				discovered_at, determined_at, contained_at, affected_systems, attack_vector, data_elements,
				encrypted, key_compromised, acquired, harm_found, harm_text, le_agency, le_requested_on,
				le_until, le_reference, primary_clock_hours, playbook_id, material_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
				$21, $22, (SELECT primary_clock_hours FROM org_settings), $23, $24)
			RETURNING id`,
			ref, f.Title, f.Summary, f.Severity, f.OwnerID, f.OccurredFrom, f.OccurredTo, f.DiscoveredAt,
			f.DeterminedAt, f.ContainedAt, f.AffectedSystems, f.AttackVector, f.DataElements, f.Encrypted,
			f.KeyCompromised, f.Acquired, f.HarmFound, f.HarmText, f.LEAgency, f.LERequestedOn, f.LEUntil,
			f.LEReference, playbookID, f.MaterialAt).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
		tasks := 0
		if playbookID != nil {
			tag, err := tx.Exec(ctx, `
				INSERT INTO case_tasks (case_id, position, phase, title, detail, owner_id, due_at)
				SELECT $1, position, phase, title, detail, $2, $3::timestamptz + make_interval(hours => due_offset_hours)
				FROM playbook_tasks WHERE playbook_id = $4`, id, f.OwnerID, f.DiscoveredAt, *playbookID)
			if err != nil {
				return fmt.Errorf("copy playbook tasks: %w", err)
			}
			tasks = int(tag.RowsAffected())
		}
		return appendEvent(ctx, tx, id, actor, "case.opened", map[string]any{
			"reference": ref, "facts": factMap(f), "playbook": in.Playbook, "tasks": tasks,
		})
	})
	if err != nil {
		return Case{}, err
	}
	return s.getBy(ctx, "c.id = $1", id)
}

func checkOwner(ctx context.Context, tx pgx.Tx, ownerID int64) error {
	var active bool
	err := tx.QueryRow(ctx, `SELECT active FROM users WHERE id = $1`, ownerID).Scan(&active)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !active) {
		return &ValidationError{Fields: map[string]string{"owner": "Choose an active user as the owner."}}
	}
	return err
}

// Get returns the case with reference ref, or ErrNotFound.
func (s *Service) Get(ctx context.Context, ref string) (Case, error) {
	return s.getBy(ctx, "c.reference = $1", ref)
}

func (s *Service) getBy(ctx context.Context, where string, arg any) (Case, error) {
	return scanCase(s.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases c JOIN users u ON u.id = c.owner_id WHERE `+where, arg))
}

// factMap is the facts as they appear in timeline events: plain strings,
// times in RFC 3339 UTC, unknowns as null.
func factMap(f Facts) map[string]any {
	t := func(p *time.Time) any {
		if p == nil {
			return nil
		}
		return p.UTC().Format(time.RFC3339)
	}
	b := func(p *bool) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return map[string]any{
		"title": f.Title, "summary": f.Summary, "severity": f.Severity, "owner_id": f.OwnerID,
		"occurred_from": t(f.OccurredFrom), "occurred_to": t(f.OccurredTo), "discovered_at": t(&f.DiscoveredAt),
		"determined_at": t(f.DeterminedAt), "contained_at": t(f.ContainedAt), "material_at": t(f.MaterialAt),
		"affected_systems": f.AffectedSystems, "attack_vector": f.AttackVector, "data_elements": f.DataElements,
		"encrypted": b(f.Encrypted), "key_compromised": b(f.KeyCompromised), "acquired": b(f.Acquired),
		"harm_found": b(f.HarmFound), "harm_text": f.HarmText, "le_agency": f.LEAgency,
		"le_requested_on": t(f.LERequestedOn), "le_until": t(f.LEUntil), "le_reference": f.LEReference,
	}
}
