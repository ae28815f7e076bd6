package residents

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Audience selects the counted residents a letter goes to: those of some US
// jurisdictions (USPS codes), or of some other countries (ISO codes), or,
// with neither, every counted resident.
type Audience struct {
	Jurisdictions []string
	Countries     []string
}

// Addressee is one letter's recipient, in clear.
type Addressee struct {
	ImportID, Line                                 int64
	Name, Street, City, State, PostalCode, Country string
}

// Lines is the address block of a letter.
func (a Addressee) Lines() []string {
	out := []string{}
	for _, l := range []string{a.Name, a.Street, strings.TrimSpace(strings.Trim(a.City+", "+a.State, ", ") + " " + a.PostalCode)} {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if a.Country != "" && a.Country != "US" {
		out = append(out, a.Country)
	}
	return out
}

// where is the SQL condition for the audience, with args after caseID.
func (a Audience) where() (string, []any) {
	switch {
	case len(a.Jurisdictions) > 0:
		return "jurisdiction = ANY($2)", []any{a.Jurisdictions}
	case len(a.Countries) > 0:
		return "jurisdiction IS NULL AND country = ANY($2)", []any{a.Countries}
	}
	return "true", nil
}

// CountAudience returns how many counted residents the audience holds,
// from the counts kept per case (constant time, however many residents);
// none once the case's personal data was purged, as there is no one to
// write to.
func (s *Service) CountAudience(ctx context.Context, caseID int64, a Audience) (int64, error) {
	cond, args := "true", []any{caseID}
	switch {
	case len(a.Jurisdictions) > 0:
		cond, args = "jurisdiction = ANY($2)", append(args, a.Jurisdictions)
	case len(a.Countries) > 0:
		cond, args = "jurisdiction = '' AND country = ANY($2)", append(args, a.Countries)
	}
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM resident_summary WHERE case_id = $1 AND dup_reason = '' AND `+cond+`
		AND NOT EXISTS (SELECT 1 FROM case_keys WHERE case_id = $1 AND wrapped_key IS NULL)`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count audience: %w", err)
	}
	return n, nil
}

// EachAddressee decrypts the audience's names and postal addresses and
// calls fn for each, by import and line, streaming: memory does not grow
// with the audience. offset and limit select a batch (limit 0: all). It
// records nothing; the caller records the export on the case timeline
// before it calls this. Residents whose data was purged are skipped.
func (s *Service) EachAddressee(ctx context.Context, caseID int64, a Audience, offset, limit int64, fn func(Addressee) error) error {
	key, err := s.keys.CaseKey(ctx, caseID)
	if errors.Is(err, ErrKeyDestroyed) {
		return nil // purged: no addressee has personal data left
	} else if err != nil {
		return err
	}
	cond, args := a.where()
	args = append([]any{caseID}, args...)
	sql := `SELECT import_id, line, coalesce(jurisdiction, ''), coalesce(country, ''), nonce, enc_name, enc_address
		FROM residents WHERE case_id = $1 AND dup_reason IS NULL AND purged_at IS NULL AND ` + cond + ` ORDER BY import_id, line`
	if limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("list addressees: %w", err)
	}
	defer rows.Close()
	var ad Addressee
	var nonce []byte
	var sealed [5][]byte
	for rows.Next() {
		if err := rows.Scan(&ad.ImportID, &ad.Line, &ad.State, &ad.Country, &nonce, &sealed[fieldName-1], &sealed[fieldAddress-1]); err != nil {
			return fmt.Errorf("read addressee: %w", err)
		}
		c, err := key.Open(nonce, sealed)
		if err != nil {
			return err
		}
		ad.Name, ad.Street, ad.City, ad.PostalCode = c.Name(), c.Street, c.City, c.PostalCode
		if err := fn(ad); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SpreadsheetSafe keeps a cell that came from an uploaded file from being
// run as a formula when the report is opened in a spreadsheet.
func SpreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
