package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashAndCheckPassword(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the expected parameters", h)
	}
	h2, _ := HashPassword("a long enough passphrase")
	if h == h2 {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"a long enough passphrase": true, "a long enough passphrasE": false, "": false} {
		ok, err := CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); !errors.Is(err, errBadHash) {
		t.Errorf("a non-argon2id hash gave %v, want errBadHash", err)
	}
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pw      string
		wantErr string
	}{
		{"short", "at least 12"},
		{"elevenchars", "at least 12"},
		{"twelve chars", ""},
		{"ÄÖÜäöüßÄÖÜäö", ""}, // 12 characters, 24 bytes
		{"Password1234", "commonly used"},
		{"QWERTY123456", "commonly used"},
		{strings.Repeat("x", MaxPasswordLength+1), "at most"},
	}
	for _, c := range cases {
		err := ValidatePassword(c.pw)
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("ValidatePassword(%q) = %v, want nil", c.pw, err)
			}
			continue
		}
		var v *ValidationError
		if !errors.As(err, &v) || !strings.Contains(v.Fields["password"], c.wantErr) {
			t.Errorf("ValidatePassword(%q) = %v, want a password field error containing %q", c.pw, err, c.wantErr)
		}
	}
}

func TestGeneratePasswordIsValidAndRandom(t *testing.T) {
	t.Parallel()
	a, b := GeneratePassword(), GeneratePassword()
	if a == b {
		t.Fatal("two generated passwords are equal")
	}
	if err := ValidatePassword(a); err != nil {
		t.Fatalf("generated password %q refused: %v", a, err)
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	want := map[Role][]Action{
		RoleAdmin:    {ActViewCases, ActEditCases, ActManageUsers, ActManageOrg, ActOwnAccount, ActReview, ActTemplates},
		RoleOfficer:  {ActViewCases, ActEditCases, ActOwnAccount},
		RoleReviewer: {ActViewCases, ActOwnAccount, ActReview, ActTemplates},
		RoleAuditor:  {ActViewCases, ActOwnAccount},
	}
	all := []Action{ActViewCases, ActEditCases, ActManageUsers, ActManageOrg, ActOwnAccount, ActReview, ActTemplates}
	for _, role := range Roles {
		allowed := map[Action]bool{}
		for _, a := range want[role] {
			allowed[a] = true
		}
		for _, a := range all {
			if got := Can(role, a); got != allowed[a] {
				t.Errorf("Can(%s, %s) = %v, want %v", role, a, got, allowed[a])
			}
		}
	}
	if Can("intruder", ActViewCases) {
		t.Error("an unknown role was allowed")
	}
	if (User{Role: RoleAdmin, Active: false}).Can(ActViewCases) {
		t.Error("a disabled admin was allowed")
	}
}
