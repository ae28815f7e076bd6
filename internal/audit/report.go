package audit

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

// report lays out case-report.pdf.
type report struct {
	pdf   *fpdf.Fpdf
	font  string
	zone  *time.Location
	width float64
}

const reportMargin = 15.0

func newReport(m Manifest, zone *time.Location, created time.Time) *report {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetMargins(reportMargin, reportMargin, reportMargin)
	pdf.SetAutoPageBreak(true, reportMargin)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("Case record "+m.Case.Reference, true)
	pdf.SetCreator("Breachdesk", false)
	pdf.AliasNbPages("{nb}")
	w, _ := pdf.GetPageSize()
	// The Unicode font: case facts, names and notes are in any script.
	r := &report{pdf: pdf, font: letter.AddUnicodeFont(pdf), zone: zone, width: w - 2*reportMargin}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-reportMargin + 4)
		pdf.SetFont(r.font, "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(r.width*0.8, 4, (fmt.Sprintf("%s · chain head %s · exported %s by %s", m.Case.Reference,
			notify.ShortHash(m.Timeline.ChainHead), m.ExportedAt, m.ExportedBy)), "", 0, "L", false, 0, "")
		pdf.CellFormat(r.width*0.2, 4, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	return r
}

func (r *report) title(s string) {
	r.pdf.SetFont(r.font, "B", 16)
	r.pdf.MultiCell(0, 8, (s), "", "L", false)
	r.pdf.Ln(2)
}

func (r *report) section(s string) {
	r.pdf.Ln(3)
	r.pdf.SetFont(r.font, "B", 12)
	r.pdf.MultiCell(0, 6, (s), "B", "L", false)
	r.pdf.Ln(1)
}

func (r *report) text(s string) {
	r.pdf.SetFont(r.font, "", 9)
	r.pdf.MultiCell(0, 4.5, (s), "", "L", false)
}

// field prints "label: value" with the label in bold, skipping empty values.
func (r *report) field(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	r.pdf.SetFont(r.font, "B", 9)
	label = (label)
	if r.pdf.GetStringWidth(label) > labelWidth-2 {
		// A long label (a notice's or a task's title) takes its own line.
		r.pdf.MultiCell(0, 4.5, label, "", "L", false)
		r.pdf.SetX(reportMargin + labelWidth)
	} else {
		r.pdf.CellFormat(labelWidth, 4.5, label, "", 0, "L", false, 0, "")
	}
	r.pdf.SetFont(r.font, "", 9)
	r.pdf.MultiCell(0, 4.5, (value), "", "L", false)
}

// labelWidth is the width of field labels, in millimetres.
const labelWidth = 45.0

// when shows a time in UTC and in the viewer's zone.
func (r *report) when(t time.Time) string {
	u := t.UTC().Format("2006-01-02 15:04 UTC")
	if r.zone == time.UTC {
		return u
	}
	return u + " (" + t.In(r.zone).Format("2006-01-02 15:04 MST") + ")"
}

func (r *report) whenPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return r.when(*t)
}

// span writes a duration as "2 d 3 h 5 min".
func span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d d", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if mins > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d min", mins))
	}
	return strings.Join(parts, " ")
}

// outcome says how a deadline ended: met or missed by how much, given
// when the notice went out (nil: not yet).
func outcome(due time.Time, sent *time.Time, now time.Time) string {
	switch {
	case sent != nil && !sent.After(due):
		return "met, " + span(due.Sub(*sent)) + " before the deadline"
	case sent != nil:
		return "missed by " + span(sent.Sub(due))
	case now.After(due):
		return "missed: nothing sent, " + span(now.Sub(due)) + " past the deadline"
	}
	return "running: " + span(due.Sub(now)) + " left"
}

// writeReport lays out the readable record of the case.
func (x *Exporter) writeReport(ctx context.Context, w io.Writer, c cases.Case, upTo int, zone *time.Location, m Manifest) error {
	now := time.Now()
	r := newReport(m, zone, now)
	r.title("Case record " + c.Reference + ": " + c.Title)
	r.field("Exported", r.when(now)+" by "+m.ExportedBy)
	r.field("Timeline", fmt.Sprintf("%d events, chain head %s", m.Timeline.Events, m.Timeline.ChainHead))
	if !m.Timeline.IntactAtRead {
		r.field("Chain problem", m.Timeline.Problem)
	}

	r.section("Case facts")
	r.field("Status", cases.Label(cases.Statuses, c.Status))
	r.field("Severity", c.Severity)
	r.field("Owner", c.OwnerName)
	r.field("Summary", c.Summary)
	r.field("Occurred from", r.whenPtr(c.OccurredFrom))
	r.field("Occurred to", r.whenPtr(c.OccurredTo))
	r.field("Discovered", r.when(c.DiscoveredAt))
	r.field("Determined", r.whenPtr(c.DeterminedAt))
	r.field("Contained", r.whenPtr(c.ContainedAt))
	r.field("Material (SEC)", r.whenPtr(c.MaterialAt))
	r.field("Systems", strings.Join(labels(cases.Systems, c.AffectedSystems), ", "))
	r.field("Attack vector", c.AttackVector)
	r.field("Data elements", strings.Join(labels(cases.DataElements, c.DataElements), ", "))
	r.field("Encrypted", cases.YesNo(c.Encrypted))
	r.field("Key compromised", cases.YesNo(c.KeyCompromised))
	r.field("Data acquired", cases.YesNo(c.Acquired))
	r.field("Harm found", cases.YesNo(c.HarmFound))
	r.field("Law enforcement", strings.Trim(c.LEAgency+" "+c.LEReference, " "))
	r.field("Delay requested until", r.whenPtr(c.LEUntil))

	set, err := x.notices.Current(ctx, c.ID)
	if err != nil {
		return err
	}
	var firstSent *time.Time
	if set != nil {
		for _, o := range set.Obligations {
			for _, f := range o.Filings {
				if f.Kind == "sent" && f.SentAt != nil && (firstSent == nil || f.SentAt.Before(*firstSent)) {
					firstSent = f.SentAt
				}
			}
		}
	}
	r.section("Clocks")
	deadlines, err := x.cases.Deadlines(ctx, c)
	if err != nil {
		return err
	}
	for _, d := range deadlines {
		r.field(d.Label, r.when(d.Due)+": "+outcome(d.Due, firstSent, now))
	}
	if firstSent != nil {
		r.text("Clocks end with the first notice sent, " + r.when(*firstSent) + ".")
	}

	r.section("Obligations")
	if set == nil {
		r.text("No obligations were accepted.")
	} else {
		r.text(fmt.Sprintf("Accepted %s by %s; rules reviewed %s.", r.when(set.AcceptedAt), set.AcceptedBy, set.RulesReviewed))
		for _, o := range set.Obligations {
			x.reportObligation(r, o, now)
		}
	}

	r.section("Residents by jurisdiction (counts only)")
	counts, err := residents.CountsFor(ctx, x.pool, c.ID)
	if err != nil {
		return err
	}
	r.field("Total", fmt.Sprintf("%d people (%d conflicts, %d unknown)", counts.Total, counts.Conflicts, counts.Unknown))
	for reason, n := range counts.DuplicatesMerged {
		r.field("Duplicates merged", fmt.Sprintf("%d by %s", n, reason))
	}
	for _, s := range counts.States {
		r.field(s.Code+" "+s.Name, fmt.Sprintf("%d (%.1f%%)", s.Count, s.Share*100))
	}
	for _, s := range counts.Countries {
		r.field("Country "+s.Country, fmt.Sprint(s.Count))
	}

	r.section("Notices")
	drafts, err := x.notices.Drafts(ctx, c.ID)
	if err != nil {
		return err
	}
	if len(drafts) == 0 {
		r.text("No notice drafts.")
	}
	for _, d := range drafts {
		full, err := x.notices.Draft(ctx, c.ID, d.ID)
		if err != nil {
			return err
		}
		cur := full.CurrentVersion()
		r.field(full.Title, fmt.Sprintf("%s, version %d, SHA-256 %s", full.Status, cur.Number, cur.SHA256))
		for _, rv := range full.Reviews {
			if rv.Action != "approve" {
				continue
			}
			line := fmt.Sprintf("approved version %d (SHA-256 %s) by %s, %s", rv.Number, rv.SHA256, rv.Reviewer, r.when(rv.CreatedAt))
			if rv.Override != "" {
				line += "; content check overridden: " + rv.Override
			}
			r.text("    " + line)
		}
	}

	r.section("Remediation tasks")
	tasks, err := x.cases.Tasks(ctx, c.ID)
	if err != nil {
		return err
	}
	evidence, err := x.cases.Evidence(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		line := fmt.Sprintf("%s; owner %s; due %s", cases.Label(cases.TaskStatuses, t.Status), t.OwnerName, r.when(t.DueAt))
		if t.CompletedAt != nil {
			line += "; completed " + r.when(*t.CompletedAt)
		}
		if t.NAReason != "" {
			line += "; not applicable: " + t.NAReason
		}
		r.field(t.Title, line)
		for _, e := range evidence {
			if e.TaskID == t.ID {
				r.text(fmt.Sprintf("    evidence %s by %s, %s, SHA-256 %s %s", e.FileName, e.Author, r.when(e.CreatedAt), e.SHA256, e.Note))
			}
		}
	}

	r.section("Timeline")
	total := m.Timeline.Events
	if total > reportEvents {
		r.text(fmt.Sprintf("The first %d and the last %d of %d events, oldest first; timeline.csv and timeline.json, covered by the same "+
			"signed manifest, hold every event with its full content and hashes.", reportHead, reportEvents-reportHead, total))
	} else {
		r.text("Every event, oldest first; timeline.csv and timeline.json hold the full content and hashes.")
	}
	r.pdf.Ln(1)
	cols := []float64{12, 58, 42, 34, r.width - 146}
	r.pdf.SetFont(r.font, "B", 8)
	for i, h := range []string{"#", "Time", "Actor", "Kind", "Detail"} {
		r.pdf.CellFormat(cols[i], 4.5, h, "B", 0, "L", false, 0, "")
	}
	r.pdf.Ln(-1)
	r.pdf.SetFont(r.font, "", 7.5)
	// The PDF is built in memory, so it shows a bounded number of events:
	// the export's memory stays flat however long the timeline.
	skipFrom, skipTo := reportHead+1, total-(reportEvents-reportHead)
	err = x.cases.EachEvent(ctx, c.ID, upTo, func(e cases.Event) error {
		if total > reportEvents && e.Seq >= skipFrom && e.Seq <= skipTo {
			if e.Seq == skipFrom {
				r.pdf.SetFont(r.font, "", 7.5)
				r.pdf.CellFormat(0, 5, fmt.Sprintf("... events %d to %d are in timeline.csv and timeline.json ...", skipFrom, skipTo), "", 1, "C", false, 0, "")
				r.pdf.SetFont(r.font, "", 7.5)
			}
			return nil
		}
		cells := []string{fmt.Sprint(e.Seq), r.when(e.At), e.Actor, e.Kind, string(e.Payload)}
		for i, s := range cells {
			r.pdf.CellFormat(cols[i], 4, fit(r.pdf, (s), cols[i]-1), "", 0, "L", false, 0, "")
		}
		r.pdf.Ln(-1)
		return nil
	})
	if err != nil {
		return err
	}
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("lay out report: %w", err)
	}
	return r.pdf.Output(w)
}

func (x *Exporter) reportObligation(r *report, o notify.Stored, now time.Time) {
	who := o.To
	if who == "" {
		who = o.Recipient
	}
	head := fmt.Sprintf("%s (%s): %s, %s", o.JurisdictionName, o.Jurisdiction, who, strings.ToLower(notify.StatusLabel(o.Status)))
	r.pdf.Ln(1)
	r.pdf.SetFont(r.font, "B", 9)
	r.pdf.MultiCell(0, 4.5, (head), "", "L", false)
	r.field("Citation", o.Citation)
	r.field("Residents", fmt.Sprint(o.Residents))
	var sent *time.Time
	for _, f := range o.Filings {
		if f.Kind == "sent" && f.SentAt != nil && (sent == nil || f.SentAt.Before(*sent)) {
			sent = f.SentAt
		}
	}
	if o.Due != nil {
		r.field("Deadline", r.when(*o.Due)+": "+outcome(*o.Due, sent, now))
	} else {
		r.field("Deadline", o.DueText)
	}
	for _, why := range o.Reasons {
		r.field("Why", why)
	}
	for _, f := range o.Filings {
		if f.Kind == "not_required" {
			r.field("Filing", "marked not required by "+f.Actor+": "+f.Reason)
			continue
		}
		line := fmt.Sprintf("sent %s by %s: %s", r.whenPtr(f.SentAt), f.Method, f.What)
		if f.Confirmation != "" {
			line += "; confirmation " + f.Confirmation
		}
		if f.DraftVersion != nil {
			line += fmt.Sprintf("; approved notice version %d, SHA-256 %s", *f.DraftVersion, f.DraftSHA256)
		}
		if f.SHA256 != "" {
			line += "; copy " + f.FileName + " SHA-256 " + f.SHA256
		}
		r.field("Filing", line+" (recorded by "+f.Actor+")")
	}
}

// The report lists at most reportEvents events: the first reportHead and
// the latest others.
const (
	reportEvents = 10_000
	reportHead   = 2_000
)

// fit shortens s with an ellipsis until it fits width at the current font.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	full := pdf.GetStringWidth(s)
	if full <= width {
		return s
	}
	runes := []rune(s)
	// Start from an estimate, then trim a character at a time.
	n := min(len(runes), int(float64(len(runes))*width/full)+1)
	for n > 0 && pdf.GetStringWidth(string(runes[:n])+"...") > width {
		n--
	}
	return string(runes[:n]) + "..."
}

func labels(opts []cases.Option, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = cases.Label(opts, v)
	}
	return out
}
