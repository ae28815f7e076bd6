package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"breachdesk/internal/auth"
	"breachdesk/internal/residents"
)

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	for _, path := range []string{"/login", "/healthz", "/static/style.css", "/no/such/page", "/cases"} {
		res := c.get(path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := app.signedIn(auth.RoleAdmin)
	before, _ := app.users.Count(t.Context())
	form := url.Values{"email": {"mallory@example.com"}, "display_name": {"Mallory"}, "role": {"admin"}}
	for _, headers := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Origin": "http://sub.example"},
	} {
		res := c.postWith("/admin/users", form, headers)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%v: status %d, want 403", headers, res.StatusCode)
		}
		if got := text(doc(t, res), "error-message"); !strings.Contains(got, "sent from another site") {
			t.Errorf("%v: message %q", headers, got)
		}
	}
	if after, _ := app.users.Count(t.Context()); after != before {
		t.Errorf("a cross-origin post created a user (%d → %d)", before, after)
	}
	// The same form from the app itself goes through.
	if res := c.postWith("/admin/users", form, map[string]string{"Sec-Fetch-Site": "same-origin"}); res.StatusCode != http.StatusOK {
		t.Errorf("same-origin post: %d", res.StatusCode)
	}
}

func TestUnknownURLIs404Page(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	res := app.client().get("/definitely/not/here")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := text(doc(t, res), "error-title"); got != "Page not found" {
		t.Errorf("title %q", got)
	}
}

func TestForbiddenPageForNonAdmin(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := app.signedIn(auth.RoleReviewer)
	res := c.get("/admin/users")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d", res.StatusCode)
	}
	d := doc(t, res)
	if got := text(d, "error-message"); !strings.Contains(got, "Your role does not allow this") {
		t.Errorf("message %q", got)
	}
	if d.Find(`nav a[href="/admin/users"]`).Length() != 0 {
		t.Error("a reviewer sees the Admin link")
	}
}

func TestHSTSWhenServedOverTLS(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{SecureCookies: true}}
	rec := httptest.NewRecorder()
	s.securityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS %q", got)
	}
}

func TestPanicBecomesA500PageWithReference(t *testing.T) {
	t.Parallel()
	var logged strings.Builder
	s := &Server{logger: slog.New(LogHandler(slog.NewJSONHandler(&logged, nil)))}
	h := s.requestID(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom in handler")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/cases", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	id := rec.Header().Get("X-Request-Id")
	body := rec.Body.String()
	if !strings.Contains(body, "Something went wrong") || !strings.Contains(body, id) || strings.Contains(body, "boom") {
		t.Errorf("page does not show the reference or leaks the panic:\n%s", body)
	}
	if !strings.Contains(logged.String(), "boom in handler") || !strings.Contains(logged.String(), `"request_id":"`+id+`"`) {
		t.Errorf("log lacks the panic or the request id: %s", logged.String())
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "@SUM": "'@SUM", "MailingState": "MailingState", "": ""} {
		if got := residents.SpreadsheetSafe(in); got != want {
			t.Errorf("SpreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
