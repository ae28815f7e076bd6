package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"breachdesk/internal/auth"
)

func TestAdminCreatesUserWhoMustChangePassword(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := app.signedIn(auth.RoleAdmin)

	res := admin.post("/admin/users", url.Values{"email": {"Rita@Example.com"}, "display_name": {"Rita Reviewer"}, "role": {"reviewer"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", res.StatusCode)
	}
	d := doc(t, res)
	pw := text(d, "issued-secret")
	if len(pw) < auth.MinPasswordLength {
		t.Fatalf("issued password %q", pw)
	}
	if d.Find(`[data-testid="user-rita@example.com"]`).Length() != 1 {
		t.Error("new user not listed")
	}

	// Bad input re-renders the form with the user's values and messages.
	res = admin.post("/admin/users", url.Values{"email": {"rita@example.com"}, "display_name": {""}, "role": {"boss"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad create: %d", res.StatusCode)
	}
	d = doc(t, res)
	if text(d, "display_name-error") == "" || text(d, "role-error") == "" {
		t.Errorf("no per-field errors: name %q role %q", text(d, "display_name-error"), text(d, "role-error"))
	}
	if v, _ := d.Find("#email").Attr("value"); v != "rita@example.com" {
		t.Errorf("form lost the input: %q", v)
	}
	res = admin.post("/admin/users", url.Values{"email": {"rita@example.com"}, "display_name": {"Rita Two"}, "role": {"auditor"}})
	if got := text(doc(t, res), "email-error"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "already exists") {
		t.Errorf("duplicate e-mail: %d %q", res.StatusCode, got)
	}

	// The new user must change the password before anything else.
	rita := app.client()
	res = rita.post("/login", url.Values{"email": {"rita@example.com"}, "password": {pw}})
	if location(res) != "/account/password" {
		t.Fatalf("first login went to %q", location(res))
	}
	if res := rita.get("/cases"); location(res) != "/account/password" {
		t.Errorf("cases before changing the password: %d %q", res.StatusCode, location(res))
	}
	res = rita.post("/account/password", url.Values{"current_password": {pw}, "new_password": {"short"}, "new_password_confirm": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc(t, res), "new_password-error"), "at least 12") {
		t.Errorf("weak new password: %d", res.StatusCode)
	}
	res = rita.post("/account/password", url.Values{"current_password": {pw}, "new_password": {"rita's own passphrase"}, "new_password_confirm": {"rita's own passphrase"}})
	if location(res) != "/cases" {
		t.Fatalf("change password went to %q (%d)", location(res), res.StatusCode)
	}
	if res := rita.get("/cases"); res.StatusCode != http.StatusOK {
		t.Errorf("after changing the password: %d", res.StatusCode)
	}
}

func TestAdminChangesRoleWithStaleFormAndLastAdmin(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, me := app.signedIn(auth.RoleAdmin)
	other := app.user(auth.RoleOfficer)
	path := "/admin/users/" + itoa(other.ID) + "/role"

	res := admin.post(path, url.Values{"version": {itoa(int64(other.Version))}, "role": {"auditor"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role: %d", res.StatusCode)
	}
	if got, _ := app.users.Get(context.Background(), other.ID); got.Role != auth.RoleAuditor {
		t.Errorf("role is %s", got.Role)
	}
	// The same form again is stale.
	res = admin.post(path, url.Values{"version": {itoa(int64(other.Version))}, "role": {"admin"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(text(doc(t, res), "row-error"), "changed by someone else") {
		t.Errorf("stale form: %d", res.StatusCode)
	}
	if got, _ := app.users.Get(context.Background(), other.ID); got.Role != auth.RoleAuditor {
		t.Errorf("stale form overwrote the role: %s", got.Role)
	}
	// The only admin cannot demote or disable themself.
	for _, p := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users/" + itoa(me.ID) + "/role", url.Values{"version": {itoa(int64(me.Version))}, "role": {"officer"}}},
		{"/admin/users/" + itoa(me.ID) + "/active", url.Values{"version": {itoa(int64(me.Version))}, "active": {"false"}}},
	} {
		res := admin.post(p.path, p.form)
		if res.StatusCode != http.StatusConflict || !strings.Contains(text(doc(t, res), "row-error"), "last active administrator") {
			t.Errorf("%s: %d", p.path, res.StatusCode)
		}
	}
	if res := admin.get("/admin/users"); res.StatusCode != http.StatusOK {
		t.Errorf("admin lost access: %d", res.StatusCode)
	}
}

func TestAdminResetsPassword(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := app.signedIn(auth.RoleAdmin)
	officer, u := app.signedIn(auth.RoleOfficer)
	res := admin.post("/admin/users/"+itoa(u.ID)+"/reset-password", url.Values{"version": {itoa(int64(u.Version))}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	pw := text(doc(t, res), "issued-secret")
	if res := officer.get("/cases"); location(res) != "/login" {
		t.Errorf("old session survived the reset: %d", res.StatusCode)
	}
	if res := app.client().post("/login", url.Values{"email": {u.Email}, "password": {testPassword}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password after reset: %d", res.StatusCode)
	}
	if res := app.client().post("/login", url.Values{"email": {u.Email}, "password": {pw}}); location(res) != "/account/password" {
		t.Errorf("new password: %d %q", res.StatusCode, location(res))
	}
}

func TestSetupLinkWorksOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	token, err := app.users.NewSetupToken(context.Background())
	if err != nil || token == "" {
		t.Fatalf("token %q %v", token, err)
	}
	c := app.client()
	if res := c.get("/setup/" + token); res.StatusCode != http.StatusOK {
		t.Fatalf("setup page: %d", res.StatusCode)
	}
	res := c.post("/setup/"+token, url.Values{"display_name": {"Avery"}, "email": {"avery@example.com"}, "password": {"first admin passphrase"}, "password_confirm": {"different passphrase"}})
	if res.StatusCode != http.StatusUnprocessableEntity || text(doc(t, res), "password_confirm-error") == "" {
		t.Fatalf("mismatched passwords: %d", res.StatusCode)
	}
	res = c.post("/setup/"+token, url.Values{"display_name": {"Avery"}, "email": {"avery@example.com"}, "password": {"first admin passphrase"}, "password_confirm": {"first admin passphrase"}})
	if location(res) != "/cases" {
		t.Fatalf("setup: %d %q", res.StatusCode, location(res))
	}
	d := doc(t, c.get("/cases"))
	if text(d, "current-role") != "Administrator" {
		t.Errorf("signed in as %q", text(d, "current-role"))
	}
	for _, other := range []*client{c, app.client()} {
		if res := other.get("/setup/" + token); res.StatusCode != http.StatusNotFound {
			t.Errorf("setup link after use: %d", res.StatusCode)
		}
		if res := other.post("/setup/"+token, url.Values{"display_name": {"Eve"}, "email": {"eve@example.com"}, "password": {"second admin passphrase"}, "password_confirm": {"second admin passphrase"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("second setup post: %d", res.StatusCode)
		}
	}
	if n, _ := app.users.Count(context.Background()); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}
