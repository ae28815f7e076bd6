package audit

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

// Exporter writes case records and verifies them.
type Exporter struct {
	// keyRecorded is set once the signing key's public half is stored.
	keyRecorded atomic.Bool
	pool        *pgxpool.Pool
	cases       *cases.Service
	notices     *notify.Service
	master      residents.MasterKey
}

// NewExporter returns an Exporter that signs with master's signing key.
func NewExporter(pool *pgxpool.Pool, notices *notify.Service, master residents.MasterKey) *Exporter {
	return &Exporter{pool: pool, cases: cases.NewService(pool), notices: notices, master: master}
}

// Export writes case c's record to w as a ZIP, streaming: timeline.csv,
// timeline.json, case-report.pdf, notices/*.pdf (the approved versions),
// manifest.json and manifest.sig. The timeline is taken up to its last
// event when the export starts (events only ever append, so the files
// agree with each other). Times are shown in UTC and in zone. When the ZIP
// is complete, the export is recorded on the case timeline with the
// manifest's SHA-256. Memory does not grow with the number of events.
func (x *Exporter) Export(ctx context.Context, w io.Writer, actor cases.Actor, c cases.Case, zone *time.Location) (Manifest, error) {
	if zone == nil {
		zone = time.UTC
	}
	upTo, _, err := x.cases.ChainHead(ctx, c.ID)
	if err != nil {
		return Manifest{}, err
	}
	if err := x.recordKey(ctx); err != nil {
		return Manifest{}, err
	}
	modified := time.Now()
	m := Manifest{Format: Format, Case: ManifestCase{ID: c.ID, Reference: c.Reference, Title: c.Title},
		ExportedAt: modified.UTC().Format(time.RFC3339), ExportedBy: actor.Email, TimeZone: zone.String()}
	bw := bufio.NewWriterSize(w, 256<<10)
	z := zip.NewWriter(bw)
	add := func(name string, write func(io.Writer) error) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		hw := newHashingWriter(f)
		if err := write(hw); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		m.Files = append(m.Files, File{Name: name, SHA256: hw.sum(), Bytes: hw.n})
		return nil
	}

	chain := cases.NewChain(c.ID)
	if err := add("timeline.csv", func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(TimelineColumns); err != nil {
			return err
		}
		err := x.cases.EachEvent(ctx, c.ID, upTo, func(e cases.Event) error {
			chain.Add(e)
			r, err := rowOf(e, zone)
			if err != nil {
				return err
			}
			return cw.Write(r.record())
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return m, err
	}
	m.Timeline = ChainSummary{Events: chain.Result.Events, ChainHead: chain.Result.Head, IntactAtRead: chain.Result.Intact(), Problem: chain.Result.Reason}

	if err := add("timeline.json", func(w io.Writer) error { return x.writeTimelineJSON(ctx, w, c, upTo, zone) }); err != nil {
		return m, err
	}
	if err := add("case-report.pdf", func(w io.Writer) error { return x.writeReport(ctx, w, c, upTo, zone, m) }); err != nil {
		return m, err
	}
	drafts, err := x.notices.Drafts(ctx, c.ID)
	if err != nil {
		return m, err
	}
	for _, d := range drafts {
		if d.Status != "approved" {
			continue
		}
		d, v, _, err := x.notices.ApprovedBody(ctx, c.ID, d.ID)
		if err != nil {
			return m, err
		}
		l, err := x.notices.LetterFor(ctx, c, d, v)
		if err != nil {
			return m, err
		}
		if err := add("notices/"+notify.LetterFileName(c, d, v, "pdf"), func(w io.Writer) error { return letter.WritePDF(w, l, v.CreatedAt) }); err != nil {
			return m, err
		}
	}

	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	key := x.master.SigningKey()
	sig, err := json.MarshalIndent(sign(key, residents.SigningKeyID(key.Public().(ed25519.PublicKey)), manifest), "", "  ")
	if err != nil {
		return m, err
	}
	for _, part := range []struct {
		name string
		body []byte
	}{{"manifest.json", manifest}, {"manifest.sig", sig}} {
		name, body := part.name, part.body
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err == nil {
			_, err = f.Write(body)
		}
		if err != nil {
			return m, fmt.Errorf("export %s: %w", name, err)
		}
	}
	if err := z.Close(); err != nil {
		return m, err
	}
	if err := bw.Flush(); err != nil {
		return m, err
	}
	err = cases.LogAccess(ctx, x.pool, c.ID, actor, "case.exported", map[string]any{
		"manifest_sha256": sha256Hex(manifest), "events": m.Timeline.Events, "chain_head": m.Timeline.ChainHead,
		"files": len(m.Files), "exported_at": m.ExportedAt})
	return m, err
}

// writeTimelineJSON streams {"case_id", "reference", "events": [rows…]}.
func (x *Exporter) writeTimelineJSON(ctx context.Context, w io.Writer, c cases.Case, upTo int, zone *time.Location) error {
	head, _ := json.Marshal(map[string]any{"case_id": c.ID, "reference": c.Reference, "columns": TimelineColumns})
	if _, err := w.Write(append(head[:len(head)-1], []byte(`,"events":[`)...)); err != nil {
		return err
	}
	first := true
	enc := json.NewEncoder(w)
	err := x.cases.EachEvent(ctx, c.ID, upTo, func(e cases.Event) error {
		r, err := rowOf(e, zone)
		if err != nil {
			return err
		}
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		return enc.Encode(r)
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}
