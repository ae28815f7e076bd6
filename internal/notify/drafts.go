package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
)

// Errors of notice drafts.
var (
	ErrDraftState = errors.New("the draft is not in a state that allows this")
	// ErrOwnApproval: the author of a version cannot approve it.
	ErrOwnApproval = errors.New("the author of a version cannot approve it; another reviewer must")
)

// Draft is a notice in preparation, with every version kept.
type Draft struct {
	ID            int64
	CaseID        int64
	ObligationKey string
	Kind          string
	Jurisdiction  string
	Title         string
	Status        string // draft, in_review, changes_requested, approved
	Current       int
	Version       int
	CreatedAt     time.Time
	Versions      []DraftVersion
	Reviews       []Review
}

// DraftVersion is one version of a draft's text.
type DraftVersion struct {
	Number     int
	Body       string
	SHA256     string
	TemplateID *int64
	Author     string
	AuthorID   *int64
	CreatedAt  time.Time
}

// Review is a reviewer's act on one version.
type Review struct {
	Number    int
	SHA256    string
	Action    string
	Comment   string
	Override  string
	Reviewer  string
	CreatedAt time.Time
}

// CurrentVersion returns the draft's latest version.
func (d Draft) CurrentVersion() DraftVersion {
	for _, v := range d.Versions {
		if v.Number == d.Current {
			return v
		}
	}
	return DraftVersion{}
}

// Approval returns the approval of the current version, if any.
func (d Draft) Approval() *Review {
	for i := len(d.Reviews) - 1; i >= 0; i-- {
		r := d.Reviews[i]
		if r.Action == "approve" && r.Number == d.Current {
			return &d.Reviews[i]
		}
	}
	return nil
}

func hashBody(body string) []byte {
	h := sha256.Sum256([]byte(body))
	return h[:]
}

// letterData fills the template data for one obligation of the case, from
// the organisation's profile as notices present it.
func (s *Service) letterData(c cases.Case, o Stored, org cases.Profile) LetterData {
	var d LetterData
	d.Org.Name, d.Org.Address, d.Org.Email, d.Org.Phone = org.Name, org.Address, org.Email, org.Phone
	d.IDProtection.Offer, d.IDProtection.Months = org.IDProtectionOffer, org.IDProtectionMonths
	loc := time.UTC
	if j, ok := s.rules.Get(o.Jurisdiction); ok {
		loc = j.Location()
		d.JurisdictionName = j.Name
		if v, ok := j.At(c.DiscoveredAt); ok && v.Content.IdentityTheftMonths != nil && *v.Content.IdentityTheftMonths > d.IDProtection.Months {
			d.IDProtection.Months = *v.Content.IdentityTheftMonths // the law's minimum wins
		}
	}
	date := func(t time.Time) string { return t.In(loc).Format("2 January 2006") }
	d.Reference, d.Title, d.Summary = c.Reference, c.Title, c.Summary
	d.Jurisdiction, d.Recipient, d.Residents = o.Jurisdiction, strings.TrimSpace(o.To), o.Residents
	d.Discovered, d.NoticeDate = date(c.DiscoveredAt), date(s.now())
	switch {
	case c.OccurredFrom != nil && c.OccurredTo != nil:
		d.Occurred = "between " + date(*c.OccurredFrom) + " and " + date(*c.OccurredTo)
	case c.OccurredFrom != nil:
		d.Occurred = "from " + date(*c.OccurredFrom)
	}
	for _, e := range c.DataElements {
		d.Elements = append(d.Elements, inSentence(cases.Label(cases.DataElements, e)))
	}
	if c.LEUntil != nil {
		d.LEDelay = true
		d.LEDelayText = "This notice was delayed at the request of " + c.LEAgency + " so as not to impede its investigation."
	}
	d.CRAs = nationwideCRAs
	d.FTC = ftc
	if ag, ok := stateAGs[o.Jurisdiction]; ok {
		d.AG = &ag
	}
	return d
}

// inSentence lower-cases a label's first letter for use mid-sentence,
// unless it names something proper ("Social Security number").
func inSentence(label string) string {
	words := strings.Fields(label)
	if len(words) == 0 || len(words) > 1 && unicode.IsUpper([]rune(words[1])[0]) {
		return label
	}
	r, size := utf8.DecodeRuneInString(label)
	return string(unicode.ToLower(r)) + label[size:]
}

// templateFor picks the latest version of the template for an obligation:
// the jurisdiction's variant if there is one, else the general letter.
func (s *Service) templateFor(ctx context.Context, kind, jurisdiction string) (Template, error) {
	var t Template
	err := s.pool.QueryRow(ctx, `SELECT `+templateColumns+` FROM letter_templates WHERE kind = $1 AND jurisdiction IN ($2, '')
		ORDER BY jurisdiction = $2 DESC, version DESC LIMIT 1`, kind, jurisdiction).
		Scan(&t.ID, &t.Name, &t.Kind, &t.Jurisdiction, &t.Version, &t.Body, &t.Author, &t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, &TemplateError{Template: kind, Problem: "no template for this kind of notice"}
	}
	return t, err
}

// CreateDrafts makes a draft for every required obligation of the case's
// accepted set that has none (or, with key, for that obligation alone),
// from the templates, in one transaction: if any template cannot be
// filled, no draft is created and the error names the template and the
// missing value. It returns how many it created. Errors: ErrNoAcceptedSet,
// ErrNotFound (key names no required obligation), a *TemplateError.
func (s *Service) CreateDrafts(ctx context.Context, actor cases.Actor, c cases.Case, key string) (int, error) {
	if err := s.ensureTemplates(ctx); err != nil {
		return 0, err
	}
	set, err := s.Current(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	if set == nil {
		return 0, ErrNoAcceptedSet
	}
	settings, err := cases.NewService(s.pool).Settings(ctx)
	if err != nil {
		return 0, err
	}
	type made struct {
		o    Stored
		t    Template
		body string
	}
	var todo []made
	parsed := map[int64]*template.Template{} // one parse per template, however many jurisdictions use it
	for _, o := range set.Obligations {
		if o.Status != Triggered || key != "" && o.Key != key {
			continue
		}
		t, err := s.templateFor(ctx, o.Recipient, o.Jurisdiction)
		if err != nil {
			return 0, err
		}
		tpl := parsed[t.ID]
		if tpl == nil {
			if tpl, err = parseTemplate(t.Name, t.Body); err != nil {
				return 0, err
			}
			parsed[t.ID] = tpl
		}
		var buf bytes.Buffer
		if err := tpl.Execute(&buf, s.letterData(c, o, settings.Profile)); err != nil {
			return 0, templateError(t.Name, err)
		}
		todo = append(todo, made{o, t, buf.String()})
	}
	if key != "" && len(todo) == 0 {
		return 0, ErrNotFound
	}
	n := 0
	err = cases.InCase(ctx, s.pool, c.ID, func(tx pgx.Tx) error {
		for _, m := range todo {
			title := fmt.Sprintf("%s: %s", m.o.Jurisdiction, strings.TrimPrefix(who(m.o.Obligation), "notice to "))
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO notice_drafts (case_id, obligation_key, kind, jurisdiction, title)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, obligation_key) DO NOTHING RETURNING id`,
				c.ID, m.o.Key, m.o.Recipient, m.o.Jurisdiction, "Notice "+title).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				continue // a draft exists already
			} else if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO draft_versions (draft_id, number, body, sha256, template_id, author_id, author)
				VALUES ($1, 1, $2, $3, $4, $5, $6)`, id, m.body, hashBody(m.body), m.t.ID, actor.UserID(), actor.Email); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return cases.RecordEvent(ctx, tx, c.ID, actor, "notices.drafted", map[string]any{"drafts": n})
	})
	return n, err
}

// ErrNoAcceptedSet: drafts follow accepted obligations.
var ErrNoAcceptedSet = errors.New("accept the case's obligations first; drafts are made from them")

// Drafts lists the case's drafts, without versions.
func (s *Service) Drafts(ctx context.Context, caseID int64) ([]Draft, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, case_id, obligation_key, kind, jurisdiction, title, status, current, version, created_at
		FROM notice_drafts WHERE case_id = $1 ORDER BY jurisdiction, kind, id`, caseID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Draft, error) {
		var d Draft
		return d, r.Scan(&d.ID, &d.CaseID, &d.ObligationKey, &d.Kind, &d.Jurisdiction, &d.Title, &d.Status, &d.Current, &d.Version, &d.CreatedAt)
	})
}

// Draft returns a draft of the case with all versions and reviews.
func (s *Service) Draft(ctx context.Context, caseID, id int64) (Draft, error) {
	var d Draft
	err := s.pool.QueryRow(ctx, `SELECT id, case_id, obligation_key, kind, jurisdiction, title, status, current, version, created_at
		FROM notice_drafts WHERE id = $1 AND case_id = $2`, id, caseID).
		Scan(&d.ID, &d.CaseID, &d.ObligationKey, &d.Kind, &d.Jurisdiction, &d.Title, &d.Status, &d.Current, &d.Version, &d.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	} else if err != nil {
		return d, err
	}
	rows, err := s.pool.Query(ctx, `SELECT number, body, encode(sha256, 'hex'), template_id, author, author_id, created_at
		FROM draft_versions WHERE draft_id = $1 ORDER BY number`, id)
	if err != nil {
		return d, err
	}
	if d.Versions, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DraftVersion]); err != nil {
		return d, err
	}
	rows, err = s.pool.Query(ctx, `SELECT number, encode(sha256, 'hex'), action, comment, override, reviewer, created_at
		FROM draft_reviews WHERE draft_id = $1 ORDER BY id`, id)
	if err != nil {
		return d, err
	}
	d.Reviews, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Review])
	return d, err
}

// Edit stores a new version of the draft's text if the draft is still at
// version; an approved draft goes back to "draft", needing approval again.
// Errors: ErrNotFound, cases.ErrStale, or a *cases.ValidationError (empty,
// or the same text as the current version).
func (s *Service) Edit(ctx context.Context, actor cases.Actor, caseID, id int64, version int, body string) error {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if strings.TrimSpace(body) == "" {
		return &cases.ValidationError{Fields: map[string]string{"body": "The notice cannot be empty."}}
	}
	return s.draftTx(ctx, caseID, id, version, func(tx pgx.Tx, d Draft) error {
		var same bool
		if err := tx.QueryRow(ctx, `SELECT sha256 = $3 FROM draft_versions WHERE draft_id = $1 AND number = $2`,
			id, d.Current, hashBody(body)).Scan(&same); err != nil {
			return err
		}
		if same { // a version that changes nothing would only blur the review history
			return &cases.ValidationError{Fields: map[string]string{"body": fmt.Sprintf("Nothing changed: the text is version %d's.", d.Current)}}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO draft_versions (draft_id, number, body, sha256, author_id, author)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, d.Current+1, body, hashBody(body), actor.UserID(), actor.Email); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE notice_drafts SET current = current + 1, status = 'draft', version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return cases.RecordEvent(ctx, tx, caseID, actor, "notice.edited", map[string]any{"draft_id": id, "version": d.Current + 1,
			"sha256": hex.EncodeToString(hashBody(body)), "was": d.Status})
	})
}

// draftTx locks the case, then the draft at version, and runs fn.
func (s *Service) draftTx(ctx context.Context, caseID, id int64, version int, fn func(tx pgx.Tx, d Draft) error) error {
	return cases.InCase(ctx, s.pool, caseID, func(tx pgx.Tx) error {
		var d Draft
		err := tx.QueryRow(ctx, `SELECT id, status, current, version FROM notice_drafts WHERE id = $1 AND case_id = $2 FOR UPDATE`, id, caseID).
			Scan(&d.ID, &d.Status, &d.Current, &d.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if version != 0 && d.Version != version {
			return cases.ErrStale
		}
		return fn(tx, d)
	})
}

// Review records a reviewer's act on the current version: "submit" (the
// author asks for review), "comment", "request_changes" or "approve".
// Approval needs a reviewer who did not write the version, and a content
// check that passes unless overridden with a written reason. Errors:
// ErrDraftState, ErrOwnApproval, cases.ErrStale, or a *cases.ValidationError.
func (s *Service) Review(ctx context.Context, actor cases.Actor, c cases.Case, id int64, version int, action, comment, override string) error {
	comment, override = strings.TrimSpace(comment), strings.TrimSpace(override)
	if (action == "comment" || action == "request_changes") && comment == "" {
		return &cases.ValidationError{Fields: map[string]string{"comment": "Write the comment."}}
	}
	d, err := s.Draft(ctx, c.ID, id)
	if err != nil {
		return err
	}
	cur := d.CurrentVersion()
	switch action {
	case "submit":
		if d.Status != "draft" && d.Status != "changes_requested" {
			return ErrDraftState
		}
	case "comment":
	case "request_changes":
		if d.Status != "in_review" {
			return ErrDraftState
		}
	case "approve":
		if d.Status != "in_review" {
			return ErrDraftState
		}
		if cur.AuthorID != nil && *cur.AuthorID == actor.ID {
			return ErrOwnApproval
		}
		residents, err := s.Residents(ctx, c.ID, d.ObligationKey)
		if err != nil {
			return err
		}
		checks := s.Check(c, d, cur.Body, residents)
		if failed := Failed(checks); len(failed) > 0 && override == "" {
			return &cases.ValidationError{Fields: map[string]string{"override": "The content check failed (" + strings.Join(failed, "; ") +
				"); fix the draft or give a written reason to approve anyway."}}
		}
	default:
		return &cases.ValidationError{Fields: map[string]string{"action": "Unknown review action."}}
	}
	return s.draftTx(ctx, c.ID, id, version, func(tx pgx.Tx, locked Draft) error {
		if locked.Current != d.Current {
			return cases.ErrStale
		}
		sum, _ := hex.DecodeString(cur.SHA256)
		if _, err := tx.Exec(ctx, `INSERT INTO draft_reviews (draft_id, number, sha256, action, comment, override, reviewer_id, reviewer)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, d.Current, sum, action, comment, override, actor.UserID(), actor.Email); err != nil {
			return err
		}
		next := map[string]string{"submit": "in_review", "request_changes": "changes_requested", "approve": "approved"}[action]
		if next != "" {
			if _, err := tx.Exec(ctx, `UPDATE notice_drafts SET status = $2, version = version + 1 WHERE id = $1`, id, next); err != nil {
				return err
			}
		}
		payload := map[string]any{"draft_id": id, "version": d.Current, "sha256": cur.SHA256, "action": action, "comment": comment}
		if override != "" {
			payload["override"] = override
		}
		return cases.RecordEvent(ctx, tx, c.ID, actor, "notice."+action, payload)
	})
}

// ApprovedBody returns the approved text of a draft, for export; ErrDraftState
// before approval.
func (s *Service) ApprovedBody(ctx context.Context, caseID, id int64) (Draft, DraftVersion, *Review, error) {
	d, err := s.Draft(ctx, caseID, id)
	if err != nil {
		return d, DraftVersion{}, nil, err
	}
	a := d.Approval()
	if d.Status != "approved" || a == nil {
		return d, DraftVersion{}, nil, ErrDraftState
	}
	return d, d.CurrentVersion(), a, nil
}

// CheckResult is one content rule and whether the draft meets it.
type CheckResult struct {
	Rule   string
	Pass   bool
	Detail string
}

// Failed lists the rules that did not pass.
func Failed(checks []CheckResult) []string {
	var out []string
	for _, c := range checks {
		if !c.Pass {
			out = append(out, c.Rule)
		}
	}
	return out
}

// headings returns the Markdown headings of body ("# " and "## "), in order.
func headings(body string) (title string, subs []string) {
	for _, line := range strings.Split(body, "\n") {
		switch {
		case strings.HasPrefix(line, "# ") && title == "":
			title = strings.TrimSpace(line[2:])
		case strings.HasPrefix(line, "## "):
			subs = append(subs, strings.TrimSpace(line[3:]))
		}
	}
	return title, subs
}

// caHeadings are the headings California requires, in this order.
var caHeadings = []string{"What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do", "For More Information"}

// Check runs the content rules of the draft's jurisdiction on body;
// residents is the number of the jurisdiction's residents affected.
func (s *Service) Check(c cases.Case, d Draft, body string, residents int64) []CheckResult {
	var out []CheckResult
	add := func(rule string, pass bool, detail string) { out = append(out, CheckResult{rule, pass, detail}) }
	title, subs := headings(body)
	lower := strings.ToLower(body)
	sensitiveIDs := slices.Contains(c.DataElements, "ssn") || slices.Contains(c.DataElements, "drivers_license")
	if d.Kind == "individuals" {
		add("Contact details for questions", strings.Contains(body, "@") || strings.Contains(lower, "call"), "the notice must say how to reach the organisation")
		if sensitiveIDs {
			all := true
			for _, cra := range nationwideCRAs {
				all = all && strings.Contains(body, cra.Phone)
			}
			add("Consumer reporting agencies' toll-free numbers (SSN or ID number exposed)", all, "Equifax, Experian and TransUnion numbers")
		}
		if j, ok := s.rules.Get(d.Jurisdiction); ok {
			if v, ok := j.At(c.DiscoveredAt); ok {
				out = append(out, itemChecks(v.Content.RequiredItems, d.Jurisdiction, c, body, sensitiveIDs, j.Location())...)
				for _, req := range v.Content.FormatRequirements {
					if m := pointSize.FindStringSubmatch(req); m != nil {
						n, _ := strconv.Atoi(m[1])
						add(fmt.Sprintf("Printed in at least %d-point type", n), letter.MinPointSize >= n,
							fmt.Sprintf("the PDF's smallest type is %d-point", letter.MinPointSize))
					}
				}
			}
			if v, ok := j.At(c.DiscoveredAt); ok && v.Content.IdentityTheftMonths != nil && sensitiveIDs {
				months := *v.Content.IdentityTheftMonths
				offered := slices.ContainsFunc(monthsOffered.FindAllStringSubmatch(body, -1), func(m []string) bool {
					n, _ := strconv.Atoi(m[1])
					return n >= months
				})
				add(fmt.Sprintf("Identity-protection offer of at least %d months", months), offered, j.Name+" requires it when such numbers were exposed")
			}
		}
	}
	switch {
	case d.Jurisdiction == "CA" && d.Kind == "individuals":
		add(`Title "Notice of Data Breach"`, title == "Notice of Data Breach", "Cal. Civ. Code § 1798.82(d)(1)")
		add("The five required headings, in order", inOrder(subs, caHeadings), strings.Join(caHeadings, ", "))
	case d.Jurisdiction == "MA" && d.Kind == "individuals":
		add("Does not state the nature of the breach", !slices.ContainsFunc(subs, func(h string) bool { return strings.EqualFold(h, "what happened") }),
			"Mass. Gen. Laws ch. 93H § 3(b)")
		add("Does not state how many residents were affected", residents == 0 || !containsNumber(body, residents), "Mass. Gen. Laws ch. 93H § 3(b)")
		add("Mentions the right to a police report and a free security freeze",
			strings.Contains(lower, "police report") && strings.Contains(lower, "security freeze"), "Mass. Gen. Laws ch. 93H § 3(b)")
	}
	return out
}

// pointSize finds "10-point" in a format requirement.
var pointSize = regexp.MustCompile(`(?i)\b(\d{1,2})[ -]point\b`)

// monthsOffered finds "24 months", "24-month" in a notice.
var monthsOffered = regexp.MustCompile(`(?i)\b(\d{1,3})[ -]months?\b`)

// containsNumber reports whether n appears in body as a number, with or
// without thousands separators.
func containsNumber(body string, n int64) bool {
	re := regexp.MustCompile(`(^|[^0-9])(` + fmt.Sprint(n) + `|` + regexp.QuoteMeta(comma(n)) + `)([^0-9]|$)`)
	return re.MatchString(body)
}

// Residents returns the residents of the accepted obligation a draft
// answers.
func (s *Service) Residents(ctx context.Context, caseID int64, key string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(o.residents), 0) FROM obligations o JOIN obligation_sets s ON s.id = o.set_id AND s.current
		WHERE o.case_id = $1 AND o.key = $2`, caseID, key).Scan(&n)
	return n, err
}

func inOrder(have, want []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && strings.EqualFold(h, want[i]) {
			i++
		}
	}
	return i == len(want)
}
