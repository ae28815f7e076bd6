package notify

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
	"breachdesk/internal/residents"
)

// MailMergeBatch is the most letters one ZIP of PDFs holds; larger
// audiences are fetched batch by batch.
const MailMergeBatch = 10_000

// ErrNotConsumerNotice: mail-merge is for notices to individuals.
var ErrNotConsumerNotice = fmt.Errorf("mail-merge is for consumer notices; this notice goes to a regulator or agency")

// Audience is who a consumer notice goes to: the residents of its
// jurisdiction, the residents of the countries a foreign law covers, or,
// for laws that reach the organisation (HIPAA, FTC), every affected person.
func (s *Service) Audience(d Draft) (residents.Audience, error) {
	if d.Kind != "individuals" {
		return residents.Audience{}, ErrNotConsumerNotice
	}
	if j, ok := s.rules.Get(d.Jurisdiction); ok {
		switch {
		case len(j.Scope.Countries) > 0:
			return residents.Audience{Countries: j.Scope.Countries}, nil
		case j.Scope.Organisation != "":
			return residents.Audience{}, nil
		}
	}
	return residents.Audience{Jurisdictions: []string{d.Jurisdiction}}, nil
}

// MailMerge is one export of an approved consumer notice's letters.
type MailMerge struct {
	Format string // "csv" or "zip"
	Batch  int    // for "zip": 1 is the first MailMergeBatch letters
	Rows   int64  // letters in this export
	Reason string
}

// RecordMailMerge checks a mail-merge request and records it on the case
// timeline (who, which version, how many letters, why) before any
// personal data leaves. Errors: a *cases.ValidationError (no reason, a
// batch past the end, an unknown format).
func (s *Service) RecordMailMerge(ctx context.Context, actor cases.Actor, caseID int64, d Draft, v DraftVersion, m MailMerge) error {
	fields := map[string]string{}
	if strings.TrimSpace(m.Reason) == "" {
		fields["reason"] = "Say why the letters and addresses are needed (the print vendor, the mailing date)."
	}
	switch m.Format {
	case "csv":
	case "zip":
		if m.Batch < 1 {
			fields["batch"] = "Choose a batch, from 1."
		} else if m.Rows == 0 {
			fields["batch"] = fmt.Sprintf("Batch %d is past the last letter.", m.Batch)
		}
	default:
		fields["format"] = "Choose a CSV for the vendor or a ZIP of PDF letters."
	}
	if len(fields) > 0 {
		return &cases.ValidationError{Fields: fields}
	}
	payload := map[string]any{"draft_id": d.ID, "version": v.Number, "sha256": v.SHA256, "format": m.Format,
		"letters": m.Rows, "reason": strings.TrimSpace(m.Reason)}
	if m.Format == "zip" {
		payload["batch"] = m.Batch
	}
	return cases.LogAccess(ctx, s.pool, caseID, actor, "notice.mail_merge", payload)
}

// EachAddressee walks an audience, calling fn for each addressee.
type EachAddressee func(fn func(residents.Addressee) error) error

// MailMergeHeader is the vendor CSV's columns.
var MailMergeHeader = []string{"letter_variant", "letter_version_sha256", "resident_ref", "name", "street", "city", "state", "postal_code", "country"}

// WriteMailMergeCSV writes the vendor file: one row per addressee with the
// letter variant and the mailing address, streaming. Cells that a
// spreadsheet would run as a formula are quoted with a leading apostrophe.
func WriteMailMergeCSV(w io.Writer, variant string, v DraftVersion, each EachAddressee) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(MailMergeHeader); err != nil {
		return err
	}
	rec := make([]string, len(MailMergeHeader))
	var ref []byte
	err := each(func(a residents.Addressee) error {
		ref = strconv.AppendInt(ref[:0], a.ImportID, 10)
		ref = append(ref, '-')
		ref = strconv.AppendInt(ref, a.Line, 10)
		rec[0], rec[1], rec[2] = variant, v.SHA256, string(ref)
		rec[3], rec[4], rec[5] = residents.SpreadsheetSafe(a.Name), residents.SpreadsheetSafe(a.Street), residents.SpreadsheetSafe(a.City)
		rec[6], rec[7], rec[8] = a.State, residents.SpreadsheetSafe(a.PostalCode), a.Country
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteLetterZIP writes one PDF letter per addressee, each the approved
// text with the addressee's address block, into a ZIP, streaming: one
// letter is in memory at a time.
func WriteLetterZIP(w io.Writer, base letter.Letter, created time.Time, each EachAddressee) error {
	z := zip.NewWriter(w)
	var buf bytes.Buffer
	err := each(func(a residents.Addressee) error {
		l := base
		l.Recipient = a.Lines()
		buf.Reset()
		if err := letter.WritePDF(&buf, l, created); err != nil {
			return err
		}
		// PDFs are compressed already; storing them saves the CPU.
		f, err := z.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("letter-%d-%d.pdf", a.ImportID, a.Line), Method: zip.Store, Modified: created})
		if err != nil {
			return err
		}
		_, err = buf.WriteTo(f)
		return err
	})
	if err != nil {
		return err
	}
	return z.Close()
}
