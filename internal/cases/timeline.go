package cases

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Event is one entry of a case's timeline.
type Event struct {
	ID       int64
	CaseID   int64
	Seq      int
	At       time.Time
	ActorID  *int64
	Actor    string
	Kind     string
	Payload  json.RawMessage
	PrevHash []byte
	Hash     []byte
}

// Actor is who does something: a signed-in user or an operator named on
// the command line.
type Actor struct {
	ID    int64
	Email string
}

// UserID is the actor's user id for a nullable column: nil for the system
// (a CLI run without a user, a job).
func (a Actor) UserID() *int64 {
	if a.ID == 0 {
		return nil
	}
	return &a.ID
}

// genesis is the previous hash of a case's first event.
var genesis = make([]byte, sha256.Size)

// eventHash is SHA-256 over the previous hash and the event's canonical
// content: a JSON object with sorted keys, the time in UTC to the
// microsecond (what Postgres keeps), and the payload re-encoded canonically.
func eventHash(prev []byte, caseID int64, seq int, at time.Time, actor, kind string, payload []byte) ([]byte, error) {
	canon, err := canonicalJSON(payload)
	if err != nil {
		return nil, err
	}
	content, err := json.Marshal(map[string]any{
		"case": caseID, "seq": seq, "at": at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		"actor": actor, "kind": kind, "payload": json.RawMessage(canon),
	})
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(prev)
	h.Write(content)
	return h.Sum(nil), nil
}

// canonicalJSON re-encodes b with sorted object keys and numbers kept as
// written, so the jsonb Postgres returns hashes like what was inserted.
func canonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical payload: %w", err)
	}
	return json.Marshal(v)
}

// appendEvent adds an event to the case's timeline inside tx. The caller
// must hold the case row lock (SELECT … FOR NO KEY UPDATE or an UPDATE),
// which serialises appends per case. NO KEY UPDATE, not UPDATE: it does
// not wait for the key-share locks that rows referencing the case take (a
// long import), and two writers that inserted such rows before asking for
// it cannot deadlock.
func appendEvent(ctx context.Context, tx pgx.Tx, caseID int64, actor Actor, kind string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event payload: %w", err)
	}
	prev, seq := genesis, 1
	err = tx.QueryRow(ctx, `SELECT hash, seq + 1 FROM case_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`, caseID).Scan(&prev, &seq)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read chain head: %w", err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	hash, err := eventHash(prev, caseID, seq, at, actor.Email, kind, body)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO case_events (case_id, seq, at, actor_id, actor, kind, payload, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		caseID, seq, at, actor.UserID(), actor.Email, kind, body, prev, hash)
	if err != nil {
		return fmt.Errorf("append %s event: %w", kind, err)
	}
	return nil
}

// ChainResult is the outcome of verifying a case's timeline.
type ChainResult struct {
	Events int
	Head   string // hex hash of the last event
	// BrokenSeq is the sequence number of the first event whose stored
	// hash, previous hash or position does not match; 0 when intact.
	BrokenSeq int
	Reason    string
}

// Intact reports whether the whole chain verified.
func (r ChainResult) Intact() bool { return r.BrokenSeq == 0 }

// Chain recomputes a case's hash chain event by event, for the timeline
// in the database and for an exported copy alike. The zero Chain is not
// ready; use NewChain.
type Chain struct {
	caseID int64
	prev   []byte
	Result ChainResult
}

// NewChain starts verifying the timeline of case caseID from its first event.
func NewChain(caseID int64) *Chain { return &Chain{caseID: caseID, prev: genesis} }

// Add checks the next event: its position, its link to the event before
// and its hash over its content. It returns false, with Result saying
// why, at the first event that does not match; later calls do nothing.
func (c *Chain) Add(e Event) bool {
	r := &c.Result
	if r.BrokenSeq != 0 {
		return false
	}
	r.Events++
	want, err := eventHash(c.prev, c.caseID, e.Seq, e.At, e.Actor, e.Kind, e.Payload)
	switch {
	case e.Seq != r.Events:
		r.BrokenSeq, r.Reason = max(e.Seq, 1), fmt.Sprintf("event %d stands where event %d should: an event is missing or out of order", e.Seq, r.Events)
	case !bytes.Equal(e.PrevHash, c.prev):
		r.BrokenSeq, r.Reason = e.Seq, fmt.Sprintf("event %d does not point to the event before it", e.Seq)
	case err != nil || !bytes.Equal(e.Hash, want):
		r.BrokenSeq, r.Reason = e.Seq, fmt.Sprintf("event %d (%s at %s) was altered: its content does not match its hash", e.Seq, e.Kind, e.At.UTC().Format(time.RFC3339))
	}
	if r.BrokenSeq != 0 {
		return false
	}
	c.prev = e.Hash
	r.Head = hex.EncodeToString(e.Hash)
	return true
}

// CanonicalPayload is the payload as the hash covers it: sorted keys,
// numbers as written. An exported timeline carries it so that an outside
// tool can recompute each hash.
func CanonicalPayload(payload []byte) (string, error) {
	b, err := canonicalJSON(payload)
	return string(b), err
}

// EventTime is an event's time as the hash covers it (RFC 3339, UTC, to
// the microsecond).
func EventTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// Verify recomputes the hash chain of the case's timeline from its first
// event and reports the first event that does not match. It reads the
// events in one pass, streaming.
func (s *Service) Verify(ctx context.Context, ref string) (ChainResult, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return ChainResult{}, err
	}
	chain := NewChain(c.ID)
	err = s.EachEvent(ctx, c.ID, 0, func(e Event) error {
		if !chain.Add(e) {
			return errChainBroken
		}
		return nil
	})
	if errors.Is(err, errChainBroken) {
		err = nil
	}
	return chain.Result, err
}

var errChainBroken = errors.New("chain broken")

// EachEvent calls fn for each event of the case in order, streaming, up
// to and including event upTo (0: all). The timeline is append-only, so
// events up to a sequence number read later are the same events.
func (s *Service) EachEvent(ctx context.Context, caseID int64, upTo int, fn func(Event) error) error {
	rows, err := s.pool.Query(ctx, `SELECT id, case_id, seq, at, actor_id, actor, kind, payload, prev_hash, hash
		FROM case_events WHERE case_id = $1 AND ($2 = 0 OR seq <= $2) ORDER BY seq`, caseID, upTo)
	if err != nil {
		return fmt.Errorf("read timeline: %w", err)
	}
	defer rows.Close()
	var e Event
	for rows.Next() {
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Kind, &e.Payload, &e.PrevHash, &e.Hash); err != nil {
			return fmt.Errorf("read event: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ChainHead returns the case's last event number and hash (0 and the
// genesis hash for an empty timeline).
func (s *Service) ChainHead(ctx context.Context, caseID int64) (int, string, error) {
	seq, hash := 0, genesis
	err := s.pool.QueryRow(ctx, `SELECT seq, hash FROM case_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`, caseID).Scan(&seq, &hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, "", fmt.Errorf("read chain head: %w", err)
	}
	return seq, hex.EncodeToString(hash), nil
}

// TimelineFilter selects a page of a case's timeline, newest first.
type TimelineFilter struct {
	Kind    string // "" for every kind
	Page    int    // from 1
	PerPage int
}

// TimelinePage is one page of events with the total count that matched.
type TimelinePage struct {
	Events []Event
	Total  int
}

// Timeline returns a page of the case's events, newest first.
func (s *Service) Timeline(ctx context.Context, caseID int64, f TimelineFilter) (TimelinePage, error) {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	var p TimelinePage
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE case_id = $1 AND ($2 = '' OR kind = $2)`,
		caseID, f.Kind).Scan(&p.Total)
	if err != nil {
		return p, fmt.Errorf("count events: %w", err)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, case_id, seq, at, actor_id, actor, kind, payload, prev_hash, hash
		FROM case_events WHERE case_id = $1 AND ($2 = '' OR kind = $2)
		ORDER BY seq DESC LIMIT $3 OFFSET $4`, caseID, f.Kind, f.PerPage, (f.Page-1)*f.PerPage)
	if err != nil {
		return p, fmt.Errorf("list events: %w", err)
	}
	p.Events, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, &e.CaseID, &e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Kind, &e.Payload, &e.PrevHash, &e.Hash)
		return e, err
	})
	return p, err
}

// EventKinds lists the kinds of timeline events, for filters.
var EventKinds = []string{
	"case.opened", "case.updated", "case.status", "case.closed", "case.reopened", "clock.added", "note",
	"task.status", "task.owner", "task.environments", "task.environment", "evidence.added", "evidence.downloaded",
}

// RecordEvent appends an event to an open case's timeline inside tx, for
// other domain packages (residents, notices) whose changes belong on it.
// It locks the case row first, which serialises appends, and returns
// ErrNotFound or ErrClosed.
func RecordEvent(ctx context.Context, tx pgx.Tx, caseID int64, actor Actor, kind string, payload any) error {
	return recordEvent(ctx, tx, caseID, actor, kind, payload, false)
}

// RecordAccess appends an event about reading a case (a view of personal
// data in clear, a download, an export); closed cases included.
func RecordAccess(ctx context.Context, tx pgx.Tx, caseID int64, actor Actor, kind string, payload any) error {
	return recordEvent(ctx, tx, caseID, actor, kind, payload, true)
}

// LogAccess records an access event in a transaction of its own, for
// reads that change nothing else (a download, an export).
func LogAccess(ctx context.Context, pool *pgxpool.Pool, caseID int64, actor Actor, kind string, payload any) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		return RecordAccess(ctx, tx, caseID, actor, kind, payload)
	})
}

func recordEvent(ctx context.Context, tx pgx.Tx, caseID int64, actor Actor, kind string, payload any, closedOK bool) error {
	if err := lockCaseID(ctx, tx, caseID, closedOK); err != nil {
		return err
	}
	return appendEvent(ctx, tx, caseID, actor, kind, payload)
}

// InCase runs fn in a transaction that holds an open case's lock from the
// start, for other packages' changes to a case that end with RecordEvent:
// a closed case is refused before any work, and two changes to one case
// take turns, so what fn reads (the current obligation set, the drafts
// that exist) still holds when it writes. Errors: ErrNotFound, ErrClosed,
// or fn's.
func InCase(ctx context.Context, pool *pgxpool.Pool, caseID int64, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := lockCaseID(ctx, tx, caseID, false); err != nil {
			return err
		}
		return fn(tx)
	})
}

func lockCaseID(ctx context.Context, tx pgx.Tx, caseID int64, closedOK bool) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM cases WHERE id = $1 FOR NO KEY UPDATE`, caseID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	} else if err != nil {
		return fmt.Errorf("lock case: %w", err)
	}
	if status == "closed" && !closedOK {
		return ErrClosed
	}
	return nil
}
