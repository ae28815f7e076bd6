package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"breachdesk/internal/auth"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

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
