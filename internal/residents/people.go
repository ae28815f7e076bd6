package residents

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
)

// Resident is one affected person as listed: where they are counted, why,
// and their personal data, masked unless revealed.
type Resident struct {
	ImportID     int64
	Line         int64
	Jurisdiction string
	Country      string
	ZIP3         string
	DecidedBy    string
	Conflict     bool
	ZIPState     string
	ResolvedBy   string
	Elements     []string
	DupOfImport  *int64
	DupOfLine    *int64
	DupReason    string
	Clear
}

// Clear is a resident's personal data.
type Clear struct {
	CRMID, First, Last, Full, Email, Phone, Street, City, PostalCode string
}

// Name is the person's name as written.
func (c Clear) Name() string {
	if n := strings.TrimSpace(c.First + " " + c.Last); n != "" {
		return n
	}
	return c.Full
}

// Masked returns c with every value masked: first letter of each word kept
// ("J*** G*****", "j***@e***.com").
func (c Clear) Masked() Clear {
	return Clear{CRMID: maskID(c.CRMID), First: maskWords(c.First), Last: maskWords(c.Last), Full: maskWords(c.Full),
		Email: maskEmail(c.Email), Phone: maskDigits(c.Phone), Street: maskWords(c.Street), City: maskWords(c.City),
		PostalCode: maskDigits(c.PostalCode)}
}

func maskWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(r) + strings.Repeat("*", utf8.RuneCountInString(w[size:]))
	}
	return strings.Join(words, " ")
}

func maskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return maskWords(s)
	}
	host, tld := domain, ""
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		host, tld = domain[:i], domain[i:]
	}
	return maskWords(local) + "@" + maskWords(host) + tld
}

func maskDigits(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
			if n > 2 {
				r = '*'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func maskID(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-3)
}

// PeopleFilter selects residents to list.
type PeopleFilter struct {
	Jurisdiction string // USPS code, "intl" for other countries, "unknown"
	ImportID     int64
	ConflictOnly bool
	Page         int
	PerPage      int
}

// PeoplePage is a page of residents.
type PeoplePage struct {
	People []Resident
	Total  int
	Page   int
	Pages  int
}

const residentSelect = `SELECT import_id, line, coalesce(jurisdiction, ''), coalesce(country, ''), coalesce(zip3, ''), decided_by,
	conflict, coalesce(zip_state, ''), coalesce(resolved_by, ''), elements, dup_of_import, dup_of_line, coalesce(dup_reason, ''),
	nonce, enc_crm_id, enc_name, enc_email, enc_phone, enc_address FROM residents`

func scanResident(row pgx.Row, key *CaseKey) (Resident, error) {
	var r Resident
	var nonce []byte
	var sealed [5][]byte
	err := row.Scan(&r.ImportID, &r.Line, &r.Jurisdiction, &r.Country, &r.ZIP3, &r.DecidedBy, &r.Conflict, &r.ZIPState,
		&r.ResolvedBy, &r.Elements, &r.DupOfImport, &r.DupOfLine, &r.DupReason, &nonce, &sealed[0], &sealed[1], &sealed[2], &sealed[3], &sealed[4])
	if err != nil || key == nil {
		return r, err
	}
	r.Clear, err = key.Open(nonce, sealed)
	return r, err
}

// peopleTotal counts the residents a filter lists: from the case's kept
// counts, in constant time, unless the list is of one import (counting a
// million rows takes a quarter of a second).
func (s *Service) peopleTotal(ctx context.Context, caseID int64, f PeopleFilter, cond string, args []any) (int, error) {
	var total int
	if f.ImportID != 0 {
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM residents WHERE `+cond, args...).Scan(&total); err != nil {
			return 0, fmt.Errorf("count residents: %w", err)
		}
		return total, nil
	}
	col, where, sargs := "n", "case_id = $1", []any{caseID}
	if f.ConflictOnly {
		col = "conflicts"
	}
	switch j := f.Jurisdiction; {
	case j == "intl":
		where += " AND jurisdiction = '' AND country <> ''"
	case j == "unknown":
		where += " AND country = ''"
	case j != "":
		where, sargs = where+" AND jurisdiction = $2", append(sargs, j)
	}
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(`+col+`), 0) FROM resident_summary WHERE `+where, sargs...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count residents: %w", err)
	}
	return total, nil
}

// People lists a case's residents, masked, by import and line.
func (s *Service) People(ctx context.Context, caseID int64, f PeopleFilter) (PeoplePage, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 200)
	f.Page = max(f.Page, 1)
	// By case, which leads the BRIN index on (case_id, import_id, line).
	where, args := []string{"case_id = $1"}, []any{caseID}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	switch j := f.Jurisdiction; {
	case j == "intl":
		where = append(where, "jurisdiction IS NULL AND country IS NOT NULL")
	case j == "unknown":
		where = append(where, "country IS NULL")
	case j != "":
		where = append(where, "jurisdiction = "+arg(j))
	}
	if f.ImportID != 0 {
		where = append(where, "import_id = "+arg(f.ImportID))
	}
	if f.ConflictOnly {
		where = append(where, "conflict")
	}
	cond := strings.Join(where, " AND ")
	p := PeoplePage{Page: f.Page}
	total, err := s.peopleTotal(ctx, caseID, f, cond, args)
	if err != nil {
		return p, err
	}
	p.Total = total
	p.Pages = max(1, (p.Total+f.PerPage-1)/f.PerPage)
	if p.Total == 0 {
		return p, nil
	}
	key, err := s.keys.CaseKey(ctx, caseID)
	if errors.Is(err, ErrKeyDestroyed) {
		key = nil // purged: the rows hold no personal data to decrypt
	} else if err != nil {
		return p, err
	}
	rows, err := s.pool.Query(ctx, residentSelect+` WHERE `+cond+` ORDER BY import_id, line LIMIT `+arg(f.PerPage)+` OFFSET `+arg((f.Page-1)*f.PerPage), args...)
	if err != nil {
		return p, fmt.Errorf("list residents: %w", err)
	}
	p.People, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Resident, error) {
		res, err := scanResident(r, key)
		res.Clear = res.Clear.Masked()
		return res, err
	})
	return p, err
}

// Reveal returns one resident's personal data in clear and records who saw
// it and why on the case timeline, in one transaction. Errors: ErrNotFound,
// or a *cases.ValidationError without a reason.
func (s *Service) Reveal(ctx context.Context, actor cases.Actor, caseID, importID, line int64, reason string) (Resident, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Resident{}, &cases.ValidationError{Fields: map[string]string{"reason": "Say why you need to see this person's data in clear."}}
	}
	key, err := s.keys.CaseKey(ctx, caseID)
	if err != nil {
		return Resident{}, err
	}
	var r Resident
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		r, err = scanResident(tx.QueryRow(ctx, residentSelect+` WHERE case_id = $1 AND import_id = $2 AND line = $3`, caseID, importID, line), key)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		return cases.RecordAccess(ctx, tx, caseID, actor, "resident.revealed", map[string]any{
			"import_id": importID, "line": line, "reason": reason,
		})
	})
	return r, err
}

// ResolveConflicts settles residents whose state and ZIP disagree by
// taking, for each, the state ("state") or what the ZIP says ("zip"). With
// no lines given it settles every conflict of the case. The counts are
// rebuilt and the decision recorded on the timeline, in one transaction.
// It returns how many were settled.
func (s *Service) ResolveConflicts(ctx context.Context, actor cases.Actor, caseID int64, choice string, refs [][2]int64) (int64, error) {
	if choice != "state" && choice != "zip" {
		return 0, &cases.ValidationError{Fields: map[string]string{"choice": "Choose the state as written or the state of the ZIP code."}}
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		set := `jurisdiction = jurisdiction`
		by := "state as written"
		if choice == "zip" {
			set, by = `jurisdiction = zip_state`, "state of the ZIP code"
		}
		sql := `UPDATE residents SET ` + set + `, conflict = false, resolved_by = $2 || ' (' || $3 || ')' WHERE case_id = $1 AND conflict`
		args := []any{caseID, by, actor.Email}
		if len(refs) > 0 {
			imports, lines := make([]int64, len(refs)), make([]int64, len(refs))
			for i, r := range refs {
				imports[i], lines[i] = r[0], r[1]
			}
			sql += ` AND (import_id, line) IN (SELECT * FROM unnest($4::bigint[], $5::bigint[]))`
			args = append(args, imports, lines)
		}
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("resolve conflicts: %w", err)
		}
		n = tag.RowsAffected()
		if n == 0 {
			return nil
		}
		if err := RefreshSummary(ctx, tx, caseID); err != nil {
			return err
		}
		return cases.RecordEvent(ctx, tx, caseID, actor, "residents.conflicts_resolved", map[string]any{
			"choice": by, "residents": n, "selected": len(refs) > 0,
		})
	})
	return n, err
}
