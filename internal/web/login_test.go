package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"breachdesk/internal/auth"
)

func TestLoginAndLogoutRenewTheSessionToken(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := app.user(auth.RoleOfficer)
	c := app.client()

	res := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/cases?page=2"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cases?page=2" {
		t.Fatalf("login: %d to %q, want 303 to the page asked for", res.StatusCode, res.Header.Get("Location"))
	}
	first := c.cookie()
	if first == "" {
		t.Fatal("no session cookie after login")
	}
	d := doc(t, c.get("/cases"))
	if got := text(d, "current-user"); got != u.DisplayName {
		t.Errorf("header shows %q, want %q", got, u.DisplayName)
	}
	if got := text(d, "current-role"); got != "Compliance officer" {
		t.Errorf("header role %q", got)
	}

	res = c.post("/logout", nil)
	if location(res) != "/login" {
		t.Fatalf("logout went to %q", location(res))
	}
	second := c.cookie()
	if second == "" || second == first {
		t.Fatalf("logout kept token %q", second)
	}
	if got := text(doc(t, c.get("/login")), "flash"); got != "You are signed out." {
		t.Errorf("flash after logout %q", got)
	}
	// The old token no longer opens anything.
	old := app.client()
	old.hc.Jar.SetCookies(mustURL(app.srv.URL), []*http.Cookie{{Name: "breachdesk_session", Value: first}})
	if res := old.get("/cases"); location(res) != "/login" {
		t.Errorf("old token after logout: %d %q, want a redirect to login", res.StatusCode, location(res))
	}

	c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if third := c.cookie(); third == second || third == "" {
		t.Errorf("login with an existing session kept its token (fixation)")
	}
}

func TestLoginRedirectTargetStaysOnSite(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := app.user(auth.RoleOfficer)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		res := app.client().post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {next}})
		if got := res.Header.Get("Location"); got != "/cases" {
			t.Errorf("next=%q redirected to %q, want /cases", next, got)
		}
	}
}

func TestWrongPasswordAndUnknownEmailLookTheSame(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := app.user(auth.RoleOfficer)
	var bodies []string
	for _, email := range []string{u.Email, "nobody@example.com"} {
		res := app.client().post("/login", url.Values{"email": {email}, "password": {"not the password"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d", email, res.StatusCode)
		}
		d := doc(t, res)
		if got := text(d, "form-error"); got != "Wrong e-mail or password." {
			t.Errorf("%s: message %q", email, got)
		}
		if v, _ := d.Find("#email").Attr("value"); v != email {
			t.Errorf("e-mail not kept in the form: %q", v)
		}
		bodies = append(bodies, text(d, "form-error"))
	}
	if bodies[0] != bodies[1] {
		t.Errorf("messages differ: %q vs %q", bodies[0], bodies[1])
	}
}

func TestLockedAccountIsTold(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := app.user(auth.RoleOfficer)
	c := app.client()
	for i := 0; i < auth.LockoutFailures; i++ {
		c.post("/login", url.Values{"email": {u.Email}, "password": {"not the password"}})
	}
	res := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", res.StatusCode)
	}
	if got := text(doc(t, res), "form-error"); !strings.Contains(got, "Too many failed sign-ins for this e-mail") || !strings.Contains(got, "UTC") {
		t.Errorf("message %q", got)
	}
	if c.cookie() != "" {
		t.Error("a locked login got a session")
	}
}

func TestIdleSessionExpires(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := app.signedIn(auth.RoleOfficer)
	var expiry time.Time
	if err := app.pool.QueryRow(context.Background(), `SELECT expiry FROM sessions WHERE token = $1`, c.cookie()).Scan(&expiry); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expiry); d < 29*time.Minute || d > 30*time.Minute+5*time.Second {
		t.Errorf("session expires in %s, want the 30-minute idle timeout", d)
	}
	// 31 minutes of inactivity.
	if _, err := app.pool.Exec(context.Background(), `UPDATE sessions SET expiry = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	res := c.get("/cases")
	if location(res) != "/login" {
		t.Fatalf("idle session still open: %d %q", res.StatusCode, location(res))
	}
	if got := text(doc(t, c.get(res.Header.Get("Location"))), "flash"); got != "Your session has expired. Sign in again to continue." {
		t.Errorf("login page after expiry says %q", got)
	}
	if err := DeleteExpiredSessions(context.Background(), app.pool); err != nil {
		t.Fatal(err)
	}
	var left int
	app.pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE expiry < now()`).Scan(&left)
	if left != 0 {
		t.Errorf("%d expired sessions left after DeleteExpiredSessions", left)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := app.user(auth.RoleOfficer)
	res := app.client().post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "breachdesk_session" {
			ck = c
		}
	}
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
		t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v; want HttpOnly, Lax, not Secure over plain HTTP", ck.HttpOnly, ck.SameSite, ck.Secure)
	}
	if d := time.Until(ck.Expires); d < 29*time.Minute || d > 30*time.Minute+5*time.Second {
		t.Errorf("cookie expires in %s, want the 30-minute idle timeout", d)
	}
}

func TestSessionEndsAtItsAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := app.signedIn(auth.RoleOfficer)
	ctx := context.Background()
	var data []byte
	if err := app.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1`, c.cookie()).Scan(&data); err != nil {
		t.Fatal(err)
	}
	deadline, values, err := scs.GobCodec{}.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(deadline); d < 11*time.Hour+59*time.Minute || d > 12*time.Hour {
		t.Errorf("session deadline in %s, want the 12-hour absolute lifetime", d)
	}
	// Ten seconds before the deadline, activity no longer extends the
	// session by the idle timeout.
	data, err = scs.GobCodec{}.Encode(time.Now().Add(10*time.Second), values)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.pool.Exec(ctx, `UPDATE sessions SET data = $2 WHERE token = $1`, c.cookie(), data); err != nil {
		t.Fatal(err)
	}
	if res := c.get("/cases"); res.StatusCode != http.StatusOK {
		t.Fatalf("before the deadline: %d", res.StatusCode)
	}
	var expiry time.Time
	if err := app.pool.QueryRow(ctx, `SELECT expiry FROM sessions WHERE token = $1`, c.cookie()).Scan(&expiry); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expiry); d > 11*time.Second {
		t.Errorf("activity pushed the session %s past its deadline", d)
	}
	// Past the deadline, however active the user was.
	data, err = scs.GobCodec{}.Encode(time.Now().Add(-time.Second), values)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.pool.Exec(ctx, `UPDATE sessions SET data = $2 WHERE token = $1`, c.cookie(), data); err != nil {
		t.Fatal(err)
	}
	if res := c.get("/cases"); location(res) != "/login" {
		t.Errorf("session past its lifetime still open: %d %q", res.StatusCode, location(res))
	}
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := app.signedIn(auth.RoleAdmin)
	officer, u := app.signedIn(auth.RoleOfficer)
	if res := officer.get("/cases"); res.StatusCode != http.StatusOK {
		t.Fatalf("officer: %d", res.StatusCode)
	}
	res := admin.post("/admin/users/"+itoa(u.ID)+"/active", url.Values{"version": {itoa(int64(u.Version))}, "active": {"false"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if res := officer.get("/cases"); location(res) != "/login" {
		t.Errorf("disabled user still in: %d %q", res.StatusCode, location(res))
	}
	if got := text(doc(t, officer.get("/login")), "flash"); !strings.Contains(got, "session has ended") {
		t.Errorf("flash %q", got)
	}
}
