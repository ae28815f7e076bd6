package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
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

// EnsureTemplates stores version 1 of each default template that has no
// version yet. It is safe to call at every start.
func (s *Service) EnsureTemplates(ctx context.Context) error {
	for file, id := range defaultTemplateFor {
		body, err := fs.ReadFile(defaultLetters, "letters/"+file)
		if err != nil {
			return err
		}
		if _, err := s.pool.Exec(ctx, `INSERT INTO letter_templates (name, kind, jurisdiction, version, body, author)
			VALUES ($1, $2, $3, 1, $4, 'Breachdesk') ON CONFLICT (name, version) DO NOTHING`, id.name, id.kind, id.jurisdiction, string(body)); err != nil {
			return fmt.Errorf("store default template: %w", err)
		}
	}
	return nil
}

const templateColumns = `id, name, kind, jurisdiction, version, body, author, created_at`

// Templates returns the latest version of every template, by name.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	if err := s.EnsureTemplates(ctx); err != nil {
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
		return nil, &TemplateError{Template: name, Problem: strings.TrimPrefix(err.Error(), "template: ")}
	}
	return t, nil
}

// SaveTemplate stores a new version of a template after checking that it
// parses and fills from a sample case. Errors: a *TemplateError naming the
// line, ErrNotFound for an unknown template.
func (s *Service) SaveTemplate(ctx context.Context, actor cases.Actor, name, body string) (Template, error) {
	t, err := parseTemplate(name, body)
	if err != nil {
		return Template{}, err
	}
	if err := t.Execute(&bytes.Buffer{}, sampleLetterData()); err != nil {
		return Template{}, &TemplateError{Template: name, Problem: strings.TrimPrefix(err.Error(), "template: ")}
	}
	var out Template
	err = s.pool.QueryRow(ctx, `INSERT INTO letter_templates (name, kind, jurisdiction, version, body, author)
		SELECT name, kind, jurisdiction, max(version) + 1, $2, $3 FROM letter_templates WHERE name = $1 GROUP BY name, kind, jurisdiction
		RETURNING `+templateColumns, name, body, actor.Email).Scan(&out.ID, &out.Name, &out.Kind, &out.Jurisdiction, &out.Version, &out.Body, &out.Author, &out.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, ErrNotFound
	}
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
	return d
}
