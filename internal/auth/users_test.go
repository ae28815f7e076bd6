package auth_test

import (
	"context"
	"errors"
	"testing"

	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
)

func newStore(t *testing.T) *auth.Store {
	t.Helper()
	pool, _ := dbtest.New(t)
	return auth.NewStore(pool)
}

func mustCreate(t *testing.T, s *auth.Store, email string, role auth.Role) auth.User {
	t.Helper()
	u, err := s.Create(context.Background(), auth.NewUser{Email: email, DisplayName: email, Role: role, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func TestCreateValidatesAndNormalises(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, err := s.Create(ctx, auth.NewUser{Email: "  Dana.W@Example.COM ", DisplayName: " Dana ", Role: auth.RoleOfficer, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "dana.w@example.com" || u.DisplayName != "Dana" || !u.Active || u.Version != 1 {
		t.Errorf("stored %+v", u)
	}
	if _, err := s.Create(ctx, auth.NewUser{Email: "DANA.W@example.com", DisplayName: "Other", Role: auth.RoleAuditor, Password: "correct horse battery"}); !errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("duplicate e-mail in other case: got %v, want ErrEmailTaken", err)
	}
	_, err = s.Create(ctx, auth.NewUser{Email: "not-an-email", DisplayName: "", Role: "boss", Password: "short"})
	var v *auth.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("bad input: got %v, want *ValidationError", err)
	}
	for _, f := range []string{"email", "display_name", "role", "password"} {
		if v.Fields[f] == "" {
			t.Errorf("no message for field %s in %v", f, v.Fields)
		}
	}
	if n, _ := s.Count(ctx); n != 1 {
		t.Errorf("Count = %d after one valid create, want 1", n)
	}
}

func TestLastAdminCannotBeRemoved(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	admin := mustCreate(t, s, "admin@example.com", auth.RoleAdmin)
	if _, err := s.SetRole(ctx, admin.ID, admin.Version, auth.RoleOfficer); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("demoting the only admin: got %v, want ErrLastAdmin", err)
	}
	if _, err := s.SetActive(ctx, admin.ID, admin.Version, false); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("disabling the only admin: got %v, want ErrLastAdmin", err)
	}
	got, _ := s.Get(ctx, admin.ID)
	if got.Role != auth.RoleAdmin || !got.Active || got.Version != admin.Version {
		t.Errorf("refused change still altered the admin: %+v", got)
	}

	second := mustCreate(t, s, "second@example.com", auth.RoleAdmin)
	if _, err := s.SetActive(ctx, second.ID, second.Version, false); err != nil {
		t.Fatalf("disabling one of two admins: %v", err)
	}
	// A disabled admin does not count: the first is the last active one again.
	if _, err := s.SetRole(ctx, admin.ID, admin.Version, auth.RoleAuditor); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("demoting the last active admin: got %v, want ErrLastAdmin", err)
	}
}

func TestOptimisticLocking(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	mustCreate(t, s, "admin@example.com", auth.RoleAdmin)
	u := mustCreate(t, s, "officer@example.com", auth.RoleOfficer)
	changed, err := s.SetRole(ctx, u.ID, u.Version, auth.RoleReviewer)
	if err != nil || changed.Version != u.Version+1 || changed.Role != auth.RoleReviewer {
		t.Fatalf("SetRole = %+v, %v", changed, err)
	}
	if _, err := s.SetRole(ctx, u.ID, u.Version, auth.RoleAuditor); !errors.Is(err, auth.ErrStale) {
		t.Errorf("change from a stale form: got %v, want ErrStale", err)
	}
	if got, _ := s.Get(ctx, u.ID); got.Role != auth.RoleReviewer {
		t.Errorf("stale change overwrote the role: %s", got.Role)
	}
	if _, err := s.SetRole(ctx, 999999, 1, auth.RoleAuditor); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown user: got %v, want ErrNotFound", err)
	}
	if _, err := s.SetRole(ctx, u.ID, changed.Version, "root"); err == nil {
		t.Error("unknown role accepted")
	}
}

func TestResetAndChangePassword(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u := mustCreate(t, s, "officer@example.com", auth.RoleOfficer)
	reset, pw, err := s.ResetPassword(ctx, u.ID, u.Version)
	if err != nil {
		t.Fatal(err)
	}
	if !reset.MustChangePassword || reset.SessionEpoch != u.SessionEpoch+1 {
		t.Errorf("after reset: must change %v, epoch %d (was %d)", reset.MustChangePassword, reset.SessionEpoch, u.SessionEpoch)
	}
	if _, err := s.Authenticate(ctx, u.Email, "correct horse battery", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("old password after reset: got %v", err)
	}
	if _, err := s.Authenticate(ctx, u.Email, pw, "10.0.0.1"); err != nil {
		t.Errorf("generated password: %v", err)
	}
	var v *auth.ValidationError
	if _, err := s.ChangePassword(ctx, u.ID, "wrong current pw", "a brand new passphrase"); !errors.As(err, &v) || v.Fields["current_password"] == "" {
		t.Errorf("wrong current password: got %v", err)
	}
	if _, err := s.ChangePassword(ctx, u.ID, pw, "password1234"); !errors.As(err, &v) || v.Fields["new_password"] == "" {
		t.Errorf("common new password: got %v", err)
	}
	changed, err := s.ChangePassword(ctx, u.ID, pw, "a brand new passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if changed.MustChangePassword || changed.SessionEpoch != reset.SessionEpoch+1 {
		t.Errorf("after change: %+v", changed)
	}
	if _, err := s.Authenticate(ctx, u.Email, "a brand new passphrase", "10.0.0.1"); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestSetupTokenWorksOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	first, err := s.NewSetupToken(ctx)
	if err != nil || first == "" {
		t.Fatalf("NewSetupToken = %q, %v", first, err)
	}
	token, _ := s.NewSetupToken(ctx) // a restart replaces the link
	if err := s.CheckSetupToken(ctx, first); !errors.Is(err, auth.ErrSetupDone) {
		t.Errorf("replaced token still valid: %v", err)
	}
	if err := s.CheckSetupToken(ctx, token); err != nil {
		t.Fatalf("fresh token refused: %v", err)
	}
	var v *auth.ValidationError
	if _, err := s.CompleteSetup(ctx, token, auth.NewUser{Email: "boss@example.com", DisplayName: "Boss", Password: "short"}); !errors.As(err, &v) {
		t.Fatalf("weak password: got %v", err)
	}
	if err := s.CheckSetupToken(ctx, token); err != nil {
		t.Fatalf("a refused form used up the token: %v", err)
	}
	u, err := s.CompleteSetup(ctx, token, auth.NewUser{Email: "boss@example.com", DisplayName: "Boss", Role: auth.RoleAuditor, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != auth.RoleAdmin {
		t.Errorf("first account has role %s, want admin", u.Role)
	}
	if _, err := s.CompleteSetup(ctx, token, auth.NewUser{Email: "second@example.com", DisplayName: "Two", Password: "correct horse battery"}); !errors.Is(err, auth.ErrSetupDone) {
		t.Errorf("second use: got %v, want ErrSetupDone", err)
	}
	if again, _ := s.NewSetupToken(ctx); again != "" {
		t.Error("a setup token was issued although an account exists")
	}
	if n, _ := s.Count(ctx); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}
