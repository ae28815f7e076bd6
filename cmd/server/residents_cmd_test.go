package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
	"breachdesk/internal/residents"
)

func TestResidentsCLI(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.New(t)
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": url, "BREACHDESK_DATA": dir}
	ctx := context.Background()
	if _, err := auth.NewStore(pool).Create(ctx, auth.NewUser{Email: "ops@example.com", DisplayName: "Ops", Role: auth.RoleOfficer, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, env, "case", "open", "--as", "ops@example.com", "--title", "Export leak", "--discovered", "2026-11-20T10:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimSpace(out)

	csvPath, truthPath := filepath.Join(dir, "contacts.csv"), filepath.Join(dir, "truth.json")
	if _, err := runCLI(t, env, "gen-crm", "--rows", "2000", "--messy", "--seed", "3", "-o", csvPath, "--truth", truthPath); err != nil {
		t.Fatal(err)
	}
	var truth residents.Truth
	b, _ := os.ReadFile(truthPath)
	json.Unmarshal(b, &truth)

	// With bad rows and no --accept-bad-rows: nothing stored, the rows listed.
	out, err = runCLI(t, env, "residents", "import", "--as", "ops@example.com", "--case", ref, csvPath)
	if err == nil || !strings.Contains(err.Error(), "awaits review") || !strings.Contains(out, "cannot be identified") {
		t.Fatalf("import with bad rows: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "master.key")); err != nil {
		t.Errorf("no master key created in the data folder: %v", err)
	}
	out, err = runCLI(t, env, "residents", "import", "--as", "ops@example.com", "--case", ref, "--accept-bad-rows", csvPath)
	if err != nil || !strings.Contains(out, "stored") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = runCLI(t, env, "residents", "counts", "--case", ref, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var counts struct {
		States    map[string]int64
		Countries map[string]int64
		Unknown   int64
		Total     int64
	}
	if err := json.Unmarshal([]byte(out), &counts); err != nil {
		t.Fatalf("counts --json: %v\n%s", err, out)
	}
	if counts.Total != truth.Persons || counts.Unknown != truth.Unknown || counts.States["CA"] != truth.States["CA"] || counts.Countries["CA"] != truth.Countries["CA"] {
		t.Errorf("counts %+v, truth %+v", counts, truth)
	}
	// "CA" is California among states and Canada among countries.
	if counts.States["CA"] == 0 || counts.Countries["CA"] == 0 {
		t.Errorf("CA as state %d and as country %d", counts.States["CA"], counts.Countries["CA"])
	}

	// Rotating the master key keeps the data readable with the new key only.
	old, _ := os.ReadFile(filepath.Join(dir, "master.key"))
	out, err = runCLI(t, env, "keys", "rotate")
	if err != nil || !strings.Contains(out, "Rewrapped 1 case keys") {
		t.Fatalf("rotate: %v %s", err, out)
	}
	now, _ := os.ReadFile(filepath.Join(dir, "master.key"))
	if string(now) == string(old) {
		t.Error("the key file did not change")
	}
	master, err := residents.ParseMasterKey(string(now))
	if err != nil {
		t.Fatal(err)
	}
	svc := residents.NewService(pool, residents.NewKeyring(pool, master), nil)
	var caseID int64
	pool.QueryRow(ctx, `SELECT id FROM cases WHERE reference = $1`, ref).Scan(&caseID)
	page, err := svc.People(ctx, caseID, residents.PeopleFilter{PerPage: 5})
	if err != nil || len(page.People) != 5 {
		t.Errorf("people after rotation: %v", err)
	}
	oldKey, _ := residents.ParseMasterKey(string(old))
	if _, err := residents.NewService(pool, residents.NewKeyring(pool, oldKey), nil).People(ctx, caseID, residents.PeopleFilter{}); err == nil {
		t.Error("the old master key still opens the case key")
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"residents", "import", "--as", "ops@example.com", "--case", "BR-1999-0001", csvPath}, "not found"},
		{[]string{"residents", "import", "--as", "ops@example.com", "--case", ref, filepath.Join(dir, "missing.csv")}, "no such file"},
		{[]string{"residents", "counts"}, "--case REF is required"},
		{[]string{"gen-crm", "--rows", "0"}, "--rows must be"},
	} {
		if _, err := runCLI(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
}

func TestRulesCheckAndObligationsCLI(t *testing.T) {
	t.Parallel()
	out, err := runCLI(t, map[string]string{}, "rules", "check")
	if err != nil || !strings.Contains(out, "60 jurisdictions, all valid") || !strings.Contains(out, "CA   California") {
		t.Fatalf("rules check: %v\n%s", err, out)
	}
	pool, url := dbtest.New(t)
	env := map[string]string{"DATABASE_URL": url, "BREACHDESK_DATA": t.TempDir()}
	auth.NewStore(pool).Create(context.Background(), auth.NewUser{Email: "ops@example.com", DisplayName: "Ops", Role: auth.RoleOfficer, Password: "correct horse battery"})
	out, _ = runCLI(t, env, "case", "open", "--as", "ops@example.com", "--title", "Leak", "--discovered", "2026-11-20T10:00:00-08:00",
		"--elements", "name,ssn", "--encrypted=false")
	ref := strings.TrimSpace(out)
	csvPath := filepath.Join(env["BREACHDESK_DATA"], "c.csv")
	os.WriteFile(csvPath, []byte("Id,FirstName,MailingState\n0031,A,CA\n0032,B,CA\n0033,C,WA\n"), 0o644)
	if _, err := runCLI(t, env, "residents", "import", "--as", "ops@example.com", "--case", ref, csvPath); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, env, "obligations", "--case", ref, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Obligations []struct {
			Jurisdiction, Recipient, Deadline, Citation string
			Triggered                                   bool
			Reasons                                     []string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	found := false
	for _, o := range got.Obligations {
		if o.Jurisdiction == "CA" && o.Recipient == "individuals" {
			found = true
			if !o.Triggered || o.Deadline != "2026-12-20T23:59:00-08:00" || o.Citation == "" || len(o.Reasons) == 0 {
				t.Errorf("CA individuals %+v", o)
			}
		}
	}
	if !found {
		t.Errorf("no CA obligation in %s", out)
	}
	if _, err := runCLI(t, env, "obligations"); err == nil || !strings.Contains(err.Error(), "--case REF is required") {
		t.Errorf("no case: %v", err)
	}
}
