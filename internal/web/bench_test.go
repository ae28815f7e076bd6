package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
)

// benchRender serves path to a signed-in officer b.N times through the
// whole handler stack (session, user, database, templates) and reports the
// median and 95th percentile of the server-side time per request.
func benchRender(b *testing.B, app *testApp, path string) {
	c, _ := app.signedIn(auth.RoleOfficer)
	handler := app.srv.Config.Handler
	cookie := &http.Cookie{Name: "breachdesk_session", Value: c.cookie()}
	if res := c.get(path); res.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d", path, res.StatusCode)
	}
	var times []time.Duration
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		handler.ServeHTTP(rec, req)
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "ms-p95")
}

// BenchmarkCaseList renders the first page of the case list with 10,000
// open cases.
func BenchmarkCaseList(b *testing.B) {
	app := newTestApp(b)
	owner := app.user(auth.RoleOfficer)
	if _, err := app.pool.Exec(context.Background(), `
		INSERT INTO cases (reference, title, severity, owner_id, discovered_at, primary_clock_hours, status)
		SELECT 'BR-2026-' || lpad(i::text, 5, '0'), 'Synthetic case ' || i, 'high', $1,
		       now() - make_interval(hours => i % 200), 72,
		       (ARRAY['triage','investigating','contained','notifying'])[1 + i % 4]
		FROM generate_series(1, 10000) i`, owner.ID); err != nil {
		b.Fatal(err)
	}
	benchRender(b, app, "/cases")
}

// BenchmarkCasePage renders a case whose timeline holds 10,000 events.
func BenchmarkCasePage(b *testing.B) {
	app := newTestApp(b)
	c, _, _ := app.caseWithEvidence()
	ctx := context.Background()
	svc := cases.NewService(app.pool)
	owner := cases.Actor{Email: "bench@example.com"}
	// Real, chained events through the domain code, in batches.
	for i := 0; i < 10000-3; i++ {
		if err := svc.AddNote(ctx, owner, c.Reference, "Synthetic note "+url.QueryEscape(time.Now().String())); err != nil {
			b.Fatal(err)
		}
	}
	benchRender(b, app, "/cases/"+c.Reference)
}
