package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
)

// Errors of the obligations store.
var (
	// ErrChanged: the obligations changed since they were shown; look again.
	ErrChanged = errors.New("the obligations changed since this page was loaded; review the new set and accept it again")
	// ErrNotFound is the cases package's, so one check answers for all.
	ErrNotFound = cases.ErrNotFound
)

// Service stores a case's accepted obligations and their filing log.
type Service struct {
	pool  *pgxpool.Pool
	rules *Rules
	now   func() time.Time
	// templatesReady is set once the default templates are stored, so
	// pages and drafting do not store them again on every call.
	templatesReady atomic.Bool
}

// NewService returns a Service.
func NewService(pool *pgxpool.Pool, rules *Rules) *Service {
	return &Service{pool: pool, rules: rules, now: time.Now}
}

// SetClock sets the clock drafts take their notice date from (tests pin
// it to compare drafts with golden files).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Rules returns the rules in use.
func (s *Service) Rules() *Rules { return s.rules }

// Key names an obligation across recomputations.
func Key(o Obligation) string {
	return o.Jurisdiction + "/" + o.Recipient + "/" + strings.TrimSpace(o.To)
}

// Filing is an entry of the filing log.
type Filing struct {
	ID           int64
	Key          string
	Kind         string // "sent" or "not_required"
	SentAt       *time.Time
	Method       string
	What         string
	Confirmation string
	Reason       string
	FileName     string
	SHA256       string
	Actor        string
	CreatedAt    time.Time
	// DraftID, DraftVersion and DraftSHA256 name the approved notice
	// version sent, when the filing links one.
	DraftID      *int64
	DraftVersion *int
	DraftSHA256  string
}

// Stored is an obligation as accepted, with its filings.
type Stored struct {
	Obligation
	Key     string
	Filings []Filing
}

// Filed reports whether the obligation has a filing that settles it.
func (s Stored) Filed() bool { return len(s.Filings) > 0 }

// Set is a case's accepted obligations.
type Set struct {
	ID            int64
	AcceptedAt    time.Time
	AcceptedBy    string
	RulesReviewed string
	Obligations   []Stored
}

// Change is a difference between the accepted set and the obligations the
// current facts give.
type Change struct {
	Key         string `json:"key"`
	Kind        string `json:"kind"` // "added", "removed", "changed"
	Description string `json:"description"`
}

// Compute works out the case's obligations now, from its facts, its
// resident counts and the notices to individuals already sent.
func (s *Service) Compute(ctx context.Context, c cases.Case) (Outcome, Input, error) {
	counts, err := residents.CountsFor(ctx, s.pool, c.ID)
	if err != nil {
		return Outcome{}, Input{}, err
	}
	return s.ComputeWith(ctx, c, counts)
}

// ComputeWith is Compute for a caller that has read the case's resident
// counts already (the case page shows them too).
func (s *Service) ComputeWith(ctx context.Context, c cases.Case, counts residents.Counts) (Outcome, Input, error) {
	settings, err := cases.NewService(s.pool).Settings(ctx)
	if err != nil {
		return Outcome{}, Input{}, err
	}
	in := Input{Facts: c.Facts, States: map[string]int64{}, Countries: map[string]int64{}, Total: counts.Total,
		Org: settings.Org, InternalTargetDays: settings.InternalTargetDays, MaterialAt: c.MaterialAt,
		IndividualNoticeSent: map[string]time.Time{}}
	for _, st := range counts.States {
		in.States[st.Code] = st.Count
	}
	for _, k := range counts.Countries {
		in.Countries[k.Country] = k.Count
	}
	rows, err := s.pool.Query(ctx, `SELECT key, min(sent_at) FROM obligation_filings
		WHERE case_id = $1 AND kind = 'sent' AND key LIKE '%/individuals/%' GROUP BY key`, c.ID)
	if err != nil {
		return Outcome{}, in, fmt.Errorf("read filings: %w", err)
	}
	for rows.Next() {
		var key string
		var at time.Time
		if err := rows.Scan(&key, &at); err != nil {
			rows.Close()
			return Outcome{}, in, err
		}
		in.IndividualNoticeSent[strings.SplitN(key, "/", 2)[0]] = at
	}
	rows.Close()
	out, err := Evaluate(in, s.rules)
	return out, in, err
}

// Fingerprint identifies an outcome, so accepting checks that the officer
// accepts what they saw.
func Fingerprint(out Outcome) string {
	h := sha256.New()
	for _, o := range out.Obligations {
		due := ""
		if o.Due != nil {
			due = o.Due.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(h, "%s|%s|%d|%s|%s|%v\n", Key(o), o.Status, o.Residents, due, o.RuleVersion, o.Needs)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Diff lists how live differs from the accepted set (nil set: everything
// is added).
func Diff(set *Set, live Outcome) []Change {
	old := map[string]Obligation{}
	if set != nil {
		for _, o := range set.Obligations {
			old[o.Key] = o.Obligation
		}
	}
	var out []Change
	seen := map[string]bool{}
	for _, o := range live.Obligations {
		k := Key(o)
		seen[k] = true
		prev, ok := old[k]
		switch {
		case !ok:
			out = append(out, Change{Key: k, Kind: "added", Description: fmt.Sprintf("%s %s: %s", o.Jurisdiction, who(o), statusWord(o.Status))})
		case prev.Status != o.Status:
			out = append(out, Change{Key: k, Kind: "changed", Description: fmt.Sprintf("%s %s: %s → %s", o.Jurisdiction, who(o), statusWord(prev.Status), statusWord(o.Status))})
		case !sameTime(prev.Due, o.Due):
			out = append(out, Change{Key: k, Kind: "changed", Description: fmt.Sprintf("%s %s: deadline %s → %s", o.Jurisdiction, who(o), timeWord(prev.Due), timeWord(o.Due))})
		case prev.Residents != o.Residents:
			out = append(out, Change{Key: k, Kind: "changed", Description: fmt.Sprintf("%s %s: residents %d → %d", o.Jurisdiction, who(o), prev.Residents, o.Residents)})
		}
	}
	for k, o := range old {
		if !seen[k] {
			out = append(out, Change{Key: k, Kind: "removed", Description: fmt.Sprintf("%s %s: no longer applies", o.Jurisdiction, who(o))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func who(o Obligation) string {
	switch o.Recipient {
	case "individuals":
		return "notice to residents"
	case "cras":
		return "notice to consumer reporting agencies"
	}
	return "notice to " + strings.TrimSpace(o.To)
}

func statusWord(s string) string {
	return map[string]string{Triggered: "required", NotTriggered: "not required", NeedsFacts: "needs facts"}[s]
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func timeWord(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// Current returns the case's accepted set with its filings, or nil when
// none was accepted yet.
func (s *Service) Current(ctx context.Context, caseID int64) (*Set, error) {
	set := &Set{}
	err := s.pool.QueryRow(ctx, `SELECT s.id, s.accepted_at, coalesce(u.email, ''), s.rules_reviewed FROM obligation_sets s
		LEFT JOIN users u ON u.id = s.accepted_by WHERE s.case_id = $1 AND s.current`, caseID).
		Scan(&set.ID, &set.AcceptedAt, &set.AcceptedBy, &set.RulesReviewed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load obligations: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT key, jurisdiction, recipient, to_name, rule_version, status, residents, due_at, due_text,
		projected, internal_target, zone, reasons, needs, citation, method FROM obligations WHERE set_id = $1`, set.ID)
	if err != nil {
		return nil, fmt.Errorf("load obligations: %w", err)
	}
	set.Obligations, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Stored, error) {
		var o Stored
		var reasons, needs []byte
		err := r.Scan(&o.Key, &o.Jurisdiction, &o.Recipient, &o.To, &o.RuleVersion, &o.Status, &o.Residents, &o.Due, &o.DueText,
			&o.Projected, &o.InternalTarget, &o.Zone, &reasons, &needs, &o.Citation, &o.Method)
		if err == nil {
			json.Unmarshal(reasons, &o.Reasons)
			json.Unmarshal(needs, &o.Needs)
			if j, ok := s.rules.Get(o.Jurisdiction); ok {
				o.JurisdictionName = j.Name
				if loc := j.Location(); loc != nil {
					if o.Due != nil {
						t := o.Due.In(loc)
						o.Due = &t
					}
				}
			}
		}
		return o, err
	})
	if err != nil {
		return nil, err
	}
	filings, err := s.Filings(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for i := range set.Obligations {
		set.Obligations[i].Filings = filings[set.Obligations[i].Key]
	}
	sortStored(set.Obligations)
	return set, nil
}

func sortStored(list []Stored) {
	sort.SliceStable(list, func(a, b int) bool { return dueFirst(list[a].Obligation, list[b].Obligation) })
}

// Filings returns the case's filing log by obligation key, oldest first.
func (s *Service) Filings(ctx context.Context, caseID int64) (map[string][]Filing, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, key, kind, sent_at, method, what, confirmation, reason, coalesce(file_name, ''),
		coalesce(encode(sha256, 'hex'), ''), actor, created_at, draft_id, draft_version, coalesce(encode(draft_sha256, 'hex'), '')
		FROM obligation_filings WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load filings: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Filing])
	if err != nil {
		return nil, err
	}
	out := map[string][]Filing{}
	for _, f := range list {
		out[f.Key] = append(out[f.Key], f)
	}
	return out, nil
}

// Accept computes the case's obligations now and stores them as its
// accepted set, with the inputs they came from, if they are still what the
// officer saw (fingerprint); the differences from the previous set go on
// the timeline. Errors: ErrChanged, cases.ErrClosed.
func (s *Service) Accept(ctx context.Context, actor cases.Actor, c cases.Case, fingerprint string) ([]Change, error) {
	out, in, err := s.Compute(ctx, c)
	if err != nil {
		return nil, err
	}
	if Fingerprint(out) != fingerprint {
		return nil, ErrChanged
	}
	prev, err := s.Current(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	changes := Diff(prev, out)
	inputs, _ := json.Marshal(map[string]any{"facts": c.Facts, "states": in.States, "individual_notice_sent": in.IndividualNoticeSent,
		"internal_target_days": in.InternalTargetDays, "unruled": out.Unruled})
	err = cases.InCase(ctx, s.pool, c.ID, func(tx pgx.Tx) error {
		var setID int64
		if err := tx.QueryRow(ctx, `INSERT INTO obligation_sets (case_id, inputs, rules_reviewed, accepted_by, current)
			VALUES ($1, $2, $3, $4, false) RETURNING id`, c.ID, inputs, out.RulesReviewed, actor.UserID()).Scan(&setID); err != nil {
			return fmt.Errorf("store obligations: %w", err)
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"obligations"}, []string{"set_id", "case_id", "key", "jurisdiction", "recipient",
			"to_name", "rule_version", "status", "residents", "due_at", "due_text", "projected", "internal_target", "zone", "reasons",
			"needs", "citation", "method"}, pgx.CopyFromSlice(len(out.Obligations), func(i int) ([]any, error) {
			o := out.Obligations[i]
			reasons, _ := json.Marshal(o.Reasons)
			needs, _ := json.Marshal(append([]string{}, o.Needs...))
			return []any{setID, c.ID, Key(o), o.Jurisdiction, o.Recipient, strings.TrimSpace(o.To), o.RuleVersion, o.Status, o.Residents,
				o.Due, o.DueText, o.Projected, o.InternalTarget, o.Zone, reasons, needs, o.Citation, o.Method}, nil
		}))
		if err != nil {
			return fmt.Errorf("store obligations: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE obligation_sets SET current = false WHERE case_id = $1 AND current`, c.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE obligation_sets SET current = true WHERE id = $1`, setID); err != nil {
			return err
		}
		triggered := 0
		for _, o := range out.Obligations {
			if o.Triggered() {
				triggered++
			}
		}
		return cases.RecordEvent(ctx, tx, c.ID, actor, "obligations.accepted", map[string]any{
			"set_id": setID, "obligations": len(out.Obligations), "triggered": triggered, "changes": changes,
			"rules_reviewed": out.RulesReviewed, "fingerprint": fingerprint,
		})
	})
	return changes, err
}

// FilingInput is a filing to record.
type FilingInput struct {
	Kind         string
	SentAt       time.Time
	Method       string
	What         string
	Confirmation string
	Reason       string
	FileName     string
	File         []byte
	// DraftID links the approved version of a notice draft of this
	// obligation as what was sent (0: none).
	DraftID int64
}

// FilingMethods are the ways a notice is sent.
var FilingMethods = []cases.Option{{Value: "portal", Label: "Regulator's online portal"}, {Value: "email", Label: "E-mail"},
	{Value: "mail", Label: "Postal mail"}, {Value: "courier", Label: "Courier"}, {Value: "other", Label: "Other"}}

// MaxFilingFileBytes bounds a filing's attached copy.
const MaxFilingFileBytes = 10 << 20

// File records a filing of an obligation of the case's accepted set:
// what was sent, when, how and the confirmation; or, for "not_required", why.
// The log is append-only and every entry is on the timeline. Errors:
// ErrNotFound (no such obligation in the accepted set), cases.ErrClosed,
// or a *cases.ValidationError.
func (s *Service) File(ctx context.Context, actor cases.Actor, caseID int64, key string, in FilingInput) error {
	v := map[string]string{}
	in.What, in.Reason, in.Confirmation = strings.TrimSpace(in.What), strings.TrimSpace(in.Reason), strings.TrimSpace(in.Confirmation)
	switch in.Kind {
	case "sent":
		if in.SentAt.IsZero() {
			v["sent_at"] = "Enter when the notice was sent."
		} else if in.SentAt.After(time.Now().Add(time.Minute)) {
			v["sent_at"] = "The sending time is in the future."
		}
		ok := false
		for _, m := range FilingMethods {
			ok = ok || m.Value == in.Method
		}
		if !ok {
			v["method"] = "Choose how it was sent."
		}
		if in.What == "" {
			v["what"] = "Say what was sent (the notice and its version)."
		}
	case "not_required":
		if in.Reason == "" {
			v["reason"] = "Say why this notice is not required."
		}
	default:
		v["kind"] = "Record a sent notice or a reason it is not required."
	}
	var contentType string
	var sum []byte
	if len(in.File) > 0 {
		if len(in.File) > MaxFilingFileBytes {
			v["file"] = "The file is larger than 10 MB."
		}
		ct := http.DetectContentType(in.File)
		if !strings.HasPrefix(ct, "application/pdf") && !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "text/plain") {
			v["file"] = "Attach the copy as PDF, an image or text."
		}
		contentType = ct
		h := sha256.Sum256(in.File)
		sum = h[:]
	}
	if len(v) > 0 {
		return &cases.ValidationError{Fields: v}
	}
	return cases.InCase(ctx, s.pool, caseID, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM obligations o JOIN obligation_sets s ON s.id = o.set_id AND s.current
			WHERE o.case_id = $1 AND o.key = $2)`, caseID, key).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		var draftID *int64
		var draftVersion *int
		var draftSum []byte
		if in.DraftID != 0 && in.Kind == "sent" {
			var status, title string
			var number int
			err := tx.QueryRow(ctx, `SELECT d.status, d.title, d.current, v.sha256 FROM notice_drafts d
				JOIN draft_versions v ON v.draft_id = d.id AND v.number = d.current
				WHERE d.id = $1 AND d.case_id = $2 AND d.obligation_key = $3 FOR SHARE OF d`, in.DraftID, caseID, key).Scan(&status, &title, &number, &draftSum)
			if errors.Is(err, pgx.ErrNoRows) {
				return &cases.ValidationError{Fields: map[string]string{"draft": "That notice is not a draft of this obligation."}}
			} else if err != nil {
				return err
			}
			if status != "approved" {
				return &cases.ValidationError{Fields: map[string]string{"draft": fmt.Sprintf(
					"Only an approved version can be linked as the notice sent; %s version %d is not approved.", title, number)}}
			}
			draftID, draftVersion = &in.DraftID, &number
		}
		var sentAt *time.Time
		if in.Kind == "sent" {
			sentAt = &in.SentAt
		}
		var fileName *string
		if len(in.File) > 0 {
			fileName = &in.FileName
		}
		if _, err := tx.Exec(ctx, `INSERT INTO obligation_filings (case_id, key, kind, sent_at, method, what, confirmation, reason,
			file_name, content_type, sha256, content, actor_id, actor, draft_id, draft_version, draft_sha256)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			caseID, key, in.Kind, sentAt, in.Method, in.What, in.Confirmation, in.Reason, fileName, nullStr(contentType), sum,
			nullBytes(in.File), actor.UserID(), actor.Email, draftID, draftVersion, draftSum); err != nil {
			return fmt.Errorf("record filing: %w", err)
		}
		payload := map[string]any{"obligation": key, "kind": in.Kind}
		if in.Kind == "sent" {
			payload["sent_at"], payload["method"], payload["what"], payload["confirmation"] = in.SentAt.UTC().Format(time.RFC3339), in.Method, in.What, in.Confirmation
			if sum != nil {
				payload["file_name"], payload["sha256"] = in.FileName, hex.EncodeToString(sum)
			}
			if draftID != nil {
				payload["notice_draft_id"], payload["notice_version"], payload["notice_sha256"] = *draftID, *draftVersion, hex.EncodeToString(draftSum)
			}
		} else {
			payload["reason"] = in.Reason
		}
		kind := "obligation.filed"
		if in.Kind == "not_required" {
			kind = "obligation.not_required"
		}
		return cases.RecordEvent(ctx, tx, caseID, actor, kind, payload)
	})
}

func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// FilingFile returns the copy attached to a filing of the case and records
// the download on the timeline. Errors: ErrNotFound.
func (s *Service) FilingFile(ctx context.Context, actor cases.Actor, caseID, filingID int64) (name, contentType string, data []byte, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var sum []byte
		err := tx.QueryRow(ctx, `SELECT file_name, content_type, content, sha256 FROM obligation_filings
			WHERE id = $1 AND case_id = $2 AND content IS NOT NULL`, filingID, caseID).Scan(&name, &contentType, &data, &sum)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		return cases.RecordAccess(ctx, tx, caseID, actor, "obligation.file_downloaded", map[string]any{
			"filing_id": filingID, "file_name": name, "sha256": hex.EncodeToString(sum)})
	})
	return name, contentType, data, err
}
