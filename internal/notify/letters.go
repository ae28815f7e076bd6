package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/cases"
)

// defaultLetters are the templates the app starts with; admins and
// reviewers edit them in the app, each edit a new version.
//
//go:embed letters/*.tmpl
var defaultLetters embed.FS

// Template is one version of a letter template.
type Template struct {
	ID           int64
	Name         string
	Kind         string // individuals, regulator or cras
	Jurisdiction string // "" for the general letter of its kind
	Version      int
	Body         string
	Author       string
	CreatedAt    time.Time
}

// defaultTemplateFor maps embedded files to template identities.
var defaultTemplateFor = map[string]struct{ name, kind, jurisdiction string }{
	"consumer.md.tmpl":    {"Consumer notice", "individuals", ""},
	"consumer_CA.md.tmpl": {"Consumer notice (California)", "individuals", "CA"},
	"consumer_MA.md.tmpl": {"Consumer notice (Massachusetts)", "individuals", "MA"},
	"regulator.md.tmpl":   {"Regulator notice", "regulator", ""},
	"cras.md.tmpl":        {"Consumer reporting agencies notice", "cras", ""},
}

// defaultAuthor signs the templates Breachdesk ships.
const defaultAuthor = "Breachdesk"

// EnsureTemplates stores each default template that has no version yet,
// and a new version of a default whose latest version is still one
// Breachdesk shipped but differs from today's (a newer release improved
// it). A template someone edited is left alone. It is safe to call at
// every start.
func (s *Service) EnsureTemplates(ctx context.Context) error {
	for file, id := range defaultTemplateFor {
		body, err := fs.ReadFile(defaultLetters, "letters/"+file)
		if err != nil {
			return err
		}
		if _, err := s.pool.Exec(ctx, `INSERT INTO letter_templates (name, kind, jurisdiction, version, body, author)
			SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5 FROM letter_templates WHERE name = $1
			HAVING max(version) IS NULL
			    OR (SELECT author = $5 AND body <> $4 FROM letter_templates WHERE name = $1 ORDER BY version DESC LIMIT 1)
			ON CONFLICT (name, version) DO NOTHING`, id.name, id.kind, id.jurisdiction, string(body), defaultAuthor); err != nil {
			return fmt.Errorf("store default template: %w", err)
		}
	}
	return nil
}

// ensureTemplates runs EnsureTemplates once per Service (again after a
// failure).
func (s *Service) ensureTemplates(ctx context.Context) error {
	if s.templatesReady.Load() {
		return nil
	}
	if err := s.EnsureTemplates(ctx); err != nil {
		return err
	}
	s.templatesReady.Store(true)
	return nil
}

const templateColumns = `id, name, kind, jurisdiction, version, body, author, created_at`

// Templates returns the latest version of every template, by name.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	if err := s.ensureTemplates(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (name) `+templateColumns+` FROM letter_templates ORDER BY name, version DESC`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Template])
}

// TemplateError names the line of a template that does not parse or
// cannot be filled.
type TemplateError struct {
	Template string
	Problem  string
}

func (e *TemplateError) Error() string { return fmt.Sprintf("template %q: %s", e.Template, e.Problem) }

// templateFuncs are the functions templates may call.
var templateFuncs = template.FuncMap{
	"join": func(items []string) string {
		switch len(items) {
		case 0:
			return "personal information"
		case 1:
			return items[0]
		}
		return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
	},
	"required": func(v, what string) (string, error) {
		if strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("the case cannot fill %s", what)
		}
		return v, nil
	},
}

func parseTemplate(name, body string) (*template.Template, error) {
	t, err := template.New(name).Funcs(templateFuncs).Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, templateError(name, err)
	}
	return t, nil
}

// execProblem is text/template's "3:6: executing "name" at <.Org.Fax>: …".
var execProblem = regexp.MustCompile(`^(\d+)(?::\d+)?: executing "[^"]*" at <([^>]*)>: (.*)$`)

// unknownField is text/template's "can't evaluate field Fax in type …".
var unknownField = regexp.MustCompile(`can't evaluate field (\w+)`)

// templateError turns text/template's message into one a template editor
// reads: "line 3: {{.Org.Fax}}: there is no placeholder Fax".
func templateError(name string, err error) *TemplateError {
	msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "template: "), name+":")
	if m := execProblem.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if f := unknownField.FindStringSubmatch(why); f != nil {
			why = "there is no placeholder named " + f[1]
		} else if _, after, ok := strings.Cut(why, "error calling required: "); ok {
			why = after
		}
		return &TemplateError{Template: name, Problem: fmt.Sprintf("line %s: {{%s}}: %s", m[1], m[2], why)}
	}
	if line, rest, ok := strings.Cut(msg, ": "); ok && strings.Trim(line, "0123456789") == "" {
		msg = "line " + line + ": " + rest
	}
	return &TemplateError{Template: name, Problem: msg}
}

// TemplateVersions returns every version of the template that version id
// belongs to, newest first. Errors: ErrNotFound.
func (s *Service) TemplateVersions(ctx context.Context, id int64) ([]Template, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+templateColumns+` FROM letter_templates
		WHERE name = (SELECT name FROM letter_templates WHERE id = $1) ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Template])
	if err == nil && len(list) == 0 {
		err = ErrNotFound
	}
	return list, err
}

// SaveTemplate stores a new version of the template named name if its
// latest version is still latest, after checking that body parses and
// fills from a sample case. Errors: a *TemplateError naming the line and
// the problem, a *cases.ValidationError for an empty or unchanged body,
// cases.ErrStale, ErrNotFound.
func (s *Service) SaveTemplate(ctx context.Context, actor cases.Actor, name string, latest int, body string) (Template, error) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if strings.TrimSpace(body) == "" {
		return Template{}, &cases.ValidationError{Fields: map[string]string{"body": "The template cannot be empty."}}
	}
	t, err := parseTemplate(name, body)
	if err != nil {
		return Template{}, err
	}
	if err := t.Execute(&bytes.Buffer{}, sampleLetterData()); err != nil {
		return Template{}, templateError(name, err)
	}
	var out Template
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var cur Template
		// The latest version is locked, so two saves take turns and the second is stale.
		err := tx.QueryRow(ctx, `SELECT `+templateColumns+` FROM letter_templates WHERE name = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE`, name).
			Scan(&cur.ID, &cur.Name, &cur.Kind, &cur.Jurisdiction, &cur.Version, &cur.Body, &cur.Author, &cur.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if cur.Version != latest {
			return cases.ErrStale
		}
		if cur.Body == body {
			return &cases.ValidationError{Fields: map[string]string{"body": fmt.Sprintf("Nothing changed: the text is version %d's.", cur.Version)}}
		}
		return tx.QueryRow(ctx, `INSERT INTO letter_templates (name, kind, jurisdiction, version, body, author)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+templateColumns, name, cur.Kind, cur.Jurisdiction, cur.Version+1, body, actor.Email).
			Scan(&out.ID, &out.Name, &out.Kind, &out.Jurisdiction, &out.Version, &out.Body, &out.Author, &out.CreatedAt)
	})
	return out, err
}

// CRA is a nationwide consumer reporting agency's contact.
type CRA struct{ Name, Phone, Address, Web string }

// nationwideCRAs are the agencies notices point residents to.
var nationwideCRAs = []CRA{
	{"Equifax", "1-800-685-1111", "P.O. Box 740241, Atlanta, GA 30374", "www.equifax.com"},
	{"Experian", "1-888-397-3742", "P.O. Box 9554, Allen, TX 75013", "www.experian.com"},
	{"TransUnion", "1-888-909-8872", "P.O. Box 2000, Chester, PA 19016", "www.transunion.com"},
}

// LetterData is what a template can use.
type LetterData struct {
	Org                                       struct{ Name, Address, Email, Phone string }
	Reference, Title, Summary                 string
	Jurisdiction, JurisdictionName, Recipient string
	Residents                                 int64
	Occurred, Discovered, NoticeDate          string
	Elements                                  []string
	IDProtection                              struct {
		Offer  string
		Months int
	}
	LEDelay     bool
	LEDelayText string
	CRAs        []CRA
	// FTC is the Federal Trade Commission's identity-theft contact.
	FTC AgencyContact
	// AG is the state attorney general's office residents can contact,
	// for the states whose notices must name it; nil elsewhere.
	AG *AgencyContact
}

// Placeholders documents what templates can use, for the editor.
var Placeholders = []struct{ Name, Means string }{
	{"{{.Org.Name}}, {{.Org.Address}}, {{.Org.Email}}, {{.Org.Phone}}", "the organisation, from its settings"},
	{"{{.Reference}}, {{.Title}}, {{.Summary}}", "the case"},
	{"{{.Jurisdiction}}, {{.JurisdictionName}}", "the state or regime (CA, California)"},
	{"{{.Recipient}}", "who the notice goes to (regulators)"},
	{"{{.Residents}}", "residents of the jurisdiction affected"},
	{"{{.Occurred}}, {{.Discovered}}, {{.NoticeDate}}", "dates, in the jurisdiction's time zone"},
	{"{{join .Elements}}", "the data elements involved, as a list in a sentence"},
	{"{{.IDProtection.Offer}}, {{.IDProtection.Months}}", "the identity-protection offer (the law's minimum months if longer)"},
	{"{{if .LEDelay}}{{.LEDelayText}}{{end}}", "the law-enforcement delay sentence"},
	{"{{range .CRAs}}{{.Name}} {{.Phone}} {{.Address}} {{.Web}}{{end}}", "the consumer reporting agencies"},
	{"{{.FTC.Name}} {{.FTC.Phone}} {{.FTC.Address}} {{.FTC.Web}}", "the Federal Trade Commission's identity-theft contact"},
	{"{{with .AG}}{{.Name}} {{.Phone}} {{.Address}} {{.Web}}{{end}}", "the state attorney general, where the state's notices must name it"},
	{`{{required .Org.Email "what"}}`, "refuse to draft when the value is empty"},
}

func sampleLetterData() LetterData {
	var d LetterData
	d.Org.Name, d.Org.Address, d.Org.Email, d.Org.Phone = "Example Co.", "1 Main St, Springfield", "privacy@example.com", "1-800-555-0100"
	d.Reference, d.Title, d.Summary = "BR-2026-0001", "Sample", "A sample incident."
	d.Jurisdiction, d.JurisdictionName, d.Recipient = "CA", "California", "California Attorney General"
	d.Residents, d.Discovered, d.NoticeDate, d.Occurred = 100, "1 November 2026", "10 November 2026", "between 1 and 3 November 2026"
	d.Elements = []string{"name", "Social Security number"}
	d.IDProtection.Offer, d.IDProtection.Months = "credit monitoring", 24
	d.CRAs = nationwideCRAs
	d.FTC = ftc
	ag := stateAGs["MD"]
	d.AG = &ag
	return d
}
