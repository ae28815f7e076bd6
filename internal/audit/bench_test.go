package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/audit"
	"breachdesk/internal/cases"
	"breachdesk/internal/memtest"
	"breachdesk/internal/residents"
)

func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// appendEvents adds n events to the case's timeline with COPY, chained by
// the documented formula (the benchmark must not wait for 100,000
// separate transactions).
func appendEvents(b testing.TB, f fixture, n int) {
	ctx := context.Background()
	seq, head, err := f.cases.ChainHead(ctx, f.kase.ID)
	if err != nil {
		b.Fatal(err)
	}
	prev, _ := hex.DecodeString(head)
	start := time.Now().Add(-time.Duration(n) * time.Second).UTC().Truncate(time.Microsecond)
	rows := make([][]any, 0, n)
	for i := 1; i <= n; i++ {
		at := start.Add(time.Duration(i) * time.Second)
		payload := fmt.Sprintf(`{"note":"Checked the Event Monitoring log for connected app %d; no further exports found.","task_id":%d}`, i, i%40)
		content, _ := json.Marshal(map[string]any{"actor": "officer@example.com", "at": cases.EventTime(at), "case": f.kase.ID,
			"kind": "case.note", "payload": json.RawMessage(payload), "seq": seq + i})
		h := sha256.New()
		h.Write(prev)
		h.Write(content)
		hash := h.Sum(nil)
		rows = append(rows, []any{f.kase.ID, seq + i, at, "officer@example.com", "case.note", payload, prev, hash})
		prev = hash
	}
	if _, err := f.pool.CopyFrom(ctx, pgx.Identifier{"case_events"}, []string{"case_id", "seq", "at", "actor", "kind", "payload", "prev_hash", "hash"},
		pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkExport exports a case with 100,000 timeline events and
// 1,000,000 residents (counts only) and verifies the export, reporting
// both times and the peak resident memory during the export.
// BENCH_EVENTS and BENCH_ROWS override the sizes.
func BenchmarkExport(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	rows := benchEnv("BENCH_ROWS", 1_000_000)
	var crm strings.Builder
	if _, err := residents.GenerateCRM(&crm, residents.GenOptions{Rows: rows, Seed: 11}); err != nil {
		b.Fatal(err)
	}
	if _, res, err := f.people.ImportFile(ctx, f.actor, f.kase.ID, "contacts.csv", int64(crm.Len()), func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(crm.String())), nil
	}, residents.StartOptions{}, nil); err != nil || !res.Committed {
		b.Fatalf("import: %v", err)
	}
	crm = strings.Builder{}
	appendEvents(b, f, benchEnv("BENCH_EVENTS", 100_000))
	known, err := f.exporter.KnownKeys(ctx)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var exportTime, verifyTime time.Duration
	var peak, size int64
	var events int
	for b.Loop() {
		path := dir + "/export.zip"
		out, _ := os.Create(path)
		debug.FreeOSMemory() // the import's garbage is not the export's memory
		memtest.ResetPeak()
		start := time.Now()
		m, err := f.exporter.Export(ctx, out, f.actor, f.kase, time.UTC)
		exportTime, peak = time.Since(start), memtest.Peak()
		out.Close()
		if err != nil {
			b.Fatal(err)
		}
		in, _ := os.Open(path)
		st, _ := in.Stat()
		start = time.Now()
		v, err := audit.Verify(in, st.Size(), known)
		verifyTime = time.Since(start)
		in.Close()
		if err != nil || !v.Intact() {
			b.Fatalf("verify: %v %s", err, v)
		}
		events, size = m.Timeline.Events, st.Size()
		// The next round exports one event more (this export's record).
		f.kase, _ = f.cases.Get(ctx, f.kase.Reference)
	}
	b.ReportMetric(exportTime.Seconds(), "export-s")
	b.ReportMetric(verifyTime.Seconds(), "verify-s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(size)/(1<<20), "zip-MB")
	fmt.Fprintf(os.Stderr, "export of %d events, %d residents: %.2fs (peak RSS %.0f MB, %.1f MB ZIP); verify %.2fs\n",
		events, rows, exportTime.Seconds(), float64(peak)/(1<<20), float64(size)/(1<<20), verifyTime.Seconds())
}
