package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
)

func TestCaseCLI(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.New(t)
	env := map[string]string{"DATABASE_URL": url}
	ctx := context.Background()
	store := auth.NewStore(pool)
	for _, u := range []auth.NewUser{
		{Email: "ops@example.com", DisplayName: "Ops", Role: auth.RoleOfficer, Password: "correct horse battery"},
		{Email: "audit@example.com", DisplayName: "Audit", Role: auth.RoleAuditor, Password: "correct horse battery"},
	} {
		if _, err := store.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	discovered := time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)
	out, err := runCLI(t, env, "case", "open", "--as", "ops@example.com", "--title", "Bulk API export leaked",
		"--discovered", discovered, "--elements", "ssn,name", "--encrypted", "--key-compromised", "--vector", "bulk_api_unencrypted")
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimSpace(out)
	if !strings.HasPrefix(ref, "BR-") {
		t.Fatalf("open printed %q", out)
	}

	out, err = runCLI(t, env, "case", "show", ref, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var shown struct {
		Reference string
		Facts     struct {
			DataElements   []string
			Encrypted      *bool
			KeyCompromised *bool
		}
		Clocks []struct {
			Label string
			Due   time.Time
		}
		Tasks []struct{ ID int64 }
		Chain struct {
			Events int
			Intact bool
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	wantDue, _ := time.Parse(time.RFC3339, discovered)
	if shown.Reference != ref || len(shown.Facts.DataElements) != 2 || shown.Facts.Encrypted == nil || !*shown.Facts.Encrypted ||
		shown.Facts.KeyCompromised == nil || !*shown.Facts.KeyCompromised || len(shown.Tasks) != 10 ||
		len(shown.Clocks) != 1 || !shown.Clocks[0].Due.Equal(wantDue.Add(72*time.Hour)) || !shown.Chain.Intact {
		t.Errorf("show: %+v", shown)
	}

	// Changing an anchor needs a reason; then it is recorded.
	earlier := time.Now().Add(-5 * time.Hour).UTC().Format(time.RFC3339)
	if _, err := runCLI(t, env, "case", "set", ref, "--as", "ops@example.com", "--discovered", earlier); err == nil || !strings.Contains(err.Error(), "needs a reason") {
		t.Errorf("anchor change without reason: %v", err)
	}
	if _, err := runCLI(t, env, "case", "set", ref, "--as", "ops@example.com", "--discovered", earlier, "--reason", "first alert was earlier", "--status", "investigating"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"case", "set", ref, "--as", "audit@example.com", "--title", "x"}, "may not change cases"},
		{[]string{"case", "set", ref, "--as", "nobody@example.com", "--title", "x"}, "no such user"},
		{[]string{"case", "open", "--as", "ops@example.com", "--title", "Future", "--discovered", time.Now().Add(2 * time.Hour).Format(time.RFC3339)}, "in the future"},
		{[]string{"case", "open", "--as", "ops@example.com", "--title", "Bad time", "--discovered", "yesterday"}, "RFC 3339"},
		{[]string{"case", "open", "--title", "No actor", "--discovered", discovered}, "--as EMAIL is required"},
		{[]string{"case", "show", "BR-1999-0001"}, "not found"},
		{[]string{"case", "frob"}, "unknown case command"},
	} {
		if _, err := runCLI(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}

	out, err = runCLI(t, env, "case", "verify", ref)
	if err != nil || !strings.Contains(out, "intact: 3 events") {
		t.Errorf("verify: %q %v", out, err)
	}
	if _, err := pool.Exec(ctx, `ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete;
		UPDATE case_events SET actor = 'mallory@example.com' WHERE seq = 2;
		ALTER TABLE case_events ENABLE TRIGGER case_events_no_update_delete`); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, env, "case", "verify", ref); err == nil || !strings.Contains(err.Error(), "broken at event 2") {
		t.Errorf("verify after tampering: %v", err)
	}
}
