package notify_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/letter"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

// benchResidents is the size of the mail-merge benchmark's case
// (BENCH_ROWS overrides, for a quick run).
func benchResidents() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// mailMergeFixture is a case with a generated Contact export imported.
func mailMergeFixture(b *testing.B, rows int) (fixture, int64) {
	var export strings.Builder
	if _, err := residents.GenerateCRM(&export, residents.GenOptions{Rows: rows, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	f := newFixtureCSV(b, export.String())
	n, err := f.people.CountAudience(context.Background(), f.kase.ID, residents.Audience{})
	if err != nil {
		b.Fatal(err)
	}
	return f, n
}

// BenchmarkMailMergeCSV writes the vendor CSV for every counted resident of
// a case with 1,000,000 imported rows: decrypting each name and address.
func BenchmarkMailMergeCSV(b *testing.B) {
	f, n := mailMergeFixture(b, benchResidents())
	ctx := context.Background()
	v := notify.DraftVersion{Number: 1, SHA256: strings.Repeat("ab", 32)}
	var took time.Duration
	for b.Loop() {
		start := time.Now()
		w := &countingWriter{}
		err := notify.WriteMailMergeCSV(w, "Notice CA: affected residents", v, func(fn func(residents.Addressee) error) error {
			return f.people.EachAddressee(ctx, f.kase.ID, residents.Audience{}, 0, 0, fn)
		})
		if err != nil {
			b.Fatal(err)
		}
		if w.lines != n+1 {
			b.Fatalf("%d lines for %d residents", w.lines, n)
		}
		took = time.Since(start)
	}
	b.ReportMetric(took.Seconds(), "s/merge")
	b.ReportMetric(float64(n), "residents")
	fmt.Fprintf(os.Stderr, "mail-merge CSV of %d residents: %.2fs\n", n, took.Seconds())
}

// BenchmarkLetterPDFs writes a ZIP of 1,000 addressed PDF letters.
func BenchmarkLetterPDFs(b *testing.B) {
	const letters = 1000
	f, _ := mailMergeFixture(b, letters)
	ctx := context.Background()
	body, err := os.ReadFile("testdata/golden/CA-individuals.md")
	if err != nil {
		b.Fatal(err)
	}
	l := letter.Letter{Letterhead: letter.Letterhead{Name: "Acme Outfitters", Address: "1 Market St, San Francisco, CA 94105", Email: "privacy@acme.example"},
		Body: string(body), Footer: "BR-REF · CA · version 1"}
	var took time.Duration
	var size int64
	for b.Loop() {
		start := time.Now()
		w := &countingWriter{}
		err := notify.WriteLetterZIP(w, l, time.Now(), func(fn func(residents.Addressee) error) error {
			return f.people.EachAddressee(ctx, f.kase.ID, residents.Audience{}, 0, letters, fn)
		})
		if err != nil {
			b.Fatal(err)
		}
		took, size = time.Since(start), w.n
	}
	b.ReportMetric(took.Seconds(), "s/1000-letters")
	b.ReportMetric(float64(size)/(1<<20), "zip-MB")
	fmt.Fprintf(os.Stderr, "ZIP of %d PDF letters: %.2fs, %.1f MB\n", letters, took.Seconds(), float64(size)/(1<<20))
}

// countingWriter counts bytes and lines written.
type countingWriter struct {
	n     int64
	lines int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.lines += int64(strings.Count(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
