package notify

import (
	"context"
	"fmt"
	"strings"

	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
)

// LetterFor lays out a version of a draft as a letter from the
// organisation's profile, its footer naming the case, the version and its
// hash so a printed page can be traced to the approval.
func (s *Service) LetterFor(ctx context.Context, c cases.Case, d Draft, v DraftVersion) (letter.Letter, error) {
	settings, err := cases.NewService(s.pool).Settings(ctx)
	if err != nil {
		return letter.Letter{}, err
	}
	p := settings.Profile
	return letter.Letter{
		Letterhead: letter.Letterhead{Name: p.Name, Address: p.Address, Email: p.Email, Phone: p.Phone},
		Body:       v.Body,
		Footer:     fmt.Sprintf("%s · %s · version %d · SHA-256 %s", c.Reference, d.Jurisdiction, v.Number, ShortHash(v.SHA256)),
	}, nil
}

// ShortHash is the first 16 hex digits of a hash, enough to find what it
// names in a footer.
func ShortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

// RecordExport records that an approved version left the app (printed,
// downloaded as PDF or DOCX) on the case timeline, with the hash of the
// file produced when there is one.
func (s *Service) RecordExport(ctx context.Context, actor cases.Actor, caseID int64, d Draft, v DraftVersion, how, fileSHA256 string) error {
	payload := map[string]any{"draft_id": d.ID, "version": v.Number, "sha256": v.SHA256, "as": how}
	if fileSHA256 != "" {
		payload["file_sha256"] = fileSHA256
	}
	return cases.LogAccess(ctx, s.pool, caseID, actor, "notice.exported", payload)
}

// LetterFileName is a safe file name for a draft's letter: "BR-2026-0001-CA-individuals-v3.pdf".
func LetterFileName(c cases.Case, d Draft, v DraftVersion, ext string) string {
	name := fmt.Sprintf("%s-%s-%s-v%d.%s", c.Reference, d.Jurisdiction, d.Kind, v.Number, ext)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, name)
}
