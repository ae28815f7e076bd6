package residents

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RefreshSummary rebuilds the case's counts from its residents inside tx.
// Callers run it in the same transaction as any change to residents.
func RefreshSummary(ctx context.Context, tx pgx.Tx, caseID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM resident_summary WHERE case_id = $1`, caseID); err != nil {
		return fmt.Errorf("clear counts: %w", err)
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO resident_summary (case_id, jurisdiction, country, dup_reason, n, conflicts)
		SELECT $1, coalesce(jurisdiction, ''), coalesce(country, ''), coalesce(dup_reason, ''), count(*),
		       count(*) FILTER (WHERE conflict)
		FROM residents WHERE case_id = $1
		GROUP BY 2, 3, 4`, caseID)
	if err != nil {
		return fmt.Errorf("count residents: %w", err)
	}
	return nil
}

// keptCount is how many residents the case's kept counts hold, to size
// a de-duplicator.
func keptCount(ctx context.Context, tx pgx.Tx, caseID int64) (int, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM resident_summary WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count residents: %w", err)
	}
	return n, nil
}

// summaryKey is one row of resident_summary.
type summaryKey struct{ jurisdiction, country, dupReason string }

// summaryDelta is a change to a case's counts: people and conflicts added
// (or, negative, taken away) per row of resident_summary.
type summaryDelta map[summaryKey]*[2]int64

func (d summaryDelta) add(jurisdiction, country, dupReason string, conflict bool, n int64) {
	k := summaryKey{jurisdiction, country, dupReason}
	v := d[k]
	if v == nil {
		v = &[2]int64{}
		d[k] = v
	}
	v[0] += n
	if conflict {
		v[1] += n
	}
}

// apply adds the delta to the case's counts inside tx; rows that drop to
// no one are removed, as RefreshSummary would leave them out.
func (d summaryDelta) apply(ctx context.Context, tx pgx.Tx, caseID int64) error {
	for k, v := range d {
		if v[0] == 0 && v[1] == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO resident_summary (case_id, jurisdiction, country, dup_reason, n, conflicts)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (case_id, jurisdiction, country, dup_reason)
			DO UPDATE SET n = resident_summary.n + excluded.n, conflicts = resident_summary.conflicts + excluded.conflicts`,
			caseID, k.jurisdiction, k.country, k.dupReason, v[0], v[1]); err != nil {
			return fmt.Errorf("update counts: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM resident_summary WHERE case_id = $1 AND n <= 0`, caseID); err != nil {
		return fmt.Errorf("update counts: %w", err)
	}
	return nil
}

// StateCount is the number of residents of one US jurisdiction.
type StateCount struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Count     int64   `json:"count"`
	Share     float64 `json:"share"`
	Conflicts int64   `json:"conflicts"`
}

// CountryCount is the number of residents of one other country.
type CountryCount struct {
	Country string `json:"country"`
	Count   int64  `json:"count"`
}

// Counts are a case's affected people by where they live, each person
// counted once.
type Counts struct {
	// States are US states, DC, territories and military codes (USPS
	// codes), largest first.
	States []StateCount `json:"states"`
	// Countries are other countries (ISO 3166-1 alpha-2), largest first.
	Countries []CountryCount `json:"countries"`
	// Unknown people have no usable address; they are listed for follow-up.
	Unknown int64 `json:"unknown"`
	// Total is every distinct person: US, other countries and unknown.
	Total     int64 `json:"total"`
	Conflicts int64 `json:"conflicts"`
	// DuplicatesMerged counts extra records of people already counted, by
	// reason (crm_id, email, name_address).
	DuplicatesMerged map[string]int64 `json:"duplicates_merged"`
}

// CountsFor returns the case's counts. It reads the summary the importer
// keeps, so its cost does not grow with the number of residents.
func CountsFor(ctx context.Context, pool *pgxpool.Pool, caseID int64) (Counts, error) {
	c := Counts{DuplicatesMerged: map[string]int64{}, States: []StateCount{}, Countries: []CountryCount{}}
	rows, err := pool.Query(ctx, `SELECT jurisdiction, country, dup_reason, n, conflicts FROM resident_summary WHERE case_id = $1`, caseID)
	if err != nil {
		return c, fmt.Errorf("read counts: %w", err)
	}
	defer rows.Close()
	states := map[string]*StateCount{}
	countries := map[string]int64{}
	for rows.Next() {
		var j, country, reason string
		var n, conflicts int64
		if err := rows.Scan(&j, &country, &reason, &n, &conflicts); err != nil {
			return c, err
		}
		switch {
		case reason != "":
			c.DuplicatesMerged[reason] += n
			continue
		case j != "":
			s := states[j]
			if s == nil {
				s = &StateCount{Code: j, Name: JurisdictionName(j)}
				states[j] = s
			}
			s.Count += n
			s.Conflicts += conflicts
			c.Conflicts += conflicts
		case country != "" && country != "US":
			countries[country] += n
		default:
			c.Unknown += n
		}
		c.Total += n
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	for _, s := range states {
		if c.Total > 0 {
			s.Share = float64(s.Count) / float64(c.Total)
		}
		c.States = append(c.States, *s)
	}
	sort.Slice(c.States, func(i, k int) bool {
		if c.States[i].Count != c.States[k].Count {
			return c.States[i].Count > c.States[k].Count
		}
		return c.States[i].Code < c.States[k].Code
	})
	for code, n := range countries {
		c.Countries = append(c.Countries, CountryCount{Country: code, Count: n})
	}
	sort.Slice(c.Countries, func(i, k int) bool {
		if c.Countries[i].Count != c.Countries[k].Count {
			return c.Countries[i].Count > c.Countries[k].Count
		}
		return c.Countries[i].Country < c.Countries[k].Country
	})
	return c, nil
}
