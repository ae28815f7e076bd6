package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breachdesk/internal/audit/audittest"
	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
)

func TestExportAndVerifyCLI(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.New(t)
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": url, "BREACHDESK_DATA": dir}
	ctx := context.Background()
	for _, u := range []auth.NewUser{
		{Email: "ops@example.com", DisplayName: "Ops", Role: auth.RoleOfficer, Password: "correct horse battery"},
		{Email: "audit@example.com", DisplayName: "Audit", Role: auth.RoleAuditor, Password: "correct horse battery"},
		{Email: "legal@example.com", DisplayName: "Legal", Role: auth.RoleReviewer, Password: "correct horse battery"},
	} {
		if _, err := auth.NewStore(pool).Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCLI(t, env, "case", "open", "--as", "ops@example.com", "--title", "Export leak",
		"--discovered", time.Now().Add(-5*time.Hour).UTC().Format(time.RFC3339))
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimSpace(out)
	zipPath := filepath.Join(dir, "case.zip")

	if _, err := runCLI(t, env, "case", "export", ref, "--as", "legal@example.com", "-o", zipPath); err == nil || !strings.Contains(err.Error(), "may not export") {
		t.Errorf("a reviewer exporting: %v", err)
	}
	if _, err := os.Stat(zipPath); err == nil {
		t.Error("a refused export left a file")
	}
	if _, err := runCLI(t, env, "case", "export", ref, "--as", "audit@example.com"); err == nil || !strings.Contains(err.Error(), "-o FILE.zip") {
		t.Errorf("no -o: %v", err)
	}
	if _, err := runCLI(t, env, "case", "export", ref, "--as", "audit@example.com", "-o", zipPath, "--zone", "Mars/Olympus"); err == nil || !strings.Contains(err.Error(), "not a time zone") {
		t.Errorf("bad zone: %v", err)
	}
	out, err = runCLI(t, env, "case", "export", ref, "--as", "audit@example.com", "-o", zipPath, "--zone", "Europe/Paris")
	if err != nil || !strings.Contains(out, "exported 1 event") {
		t.Fatalf("export: %v %q", err, out)
	}
	out, err = runCLI(t, env, "verify", zipPath)
	if err != nil || !strings.Contains(out, "intact: "+ref+", 1 event,") || !strings.Contains(out, "as event 2") {
		t.Fatalf("verify: %v %q", err, out)
	}

	// A tampered copy exits 1, a file that is not an export exits 2.
	data, _ := os.ReadFile(zipPath)
	tampered := filepath.Join(dir, "tampered.zip")
	os.WriteFile(tampered, audittest.Rewrite(t, data, "timeline.csv", func(b []byte) []byte {
		return bytes.Replace(b, []byte("Export leak"), []byte("Nothing leaked"), 1)
	}), 0o644)
	var ee *exitError
	if _, err := runCLI(t, env, "verify", tampered); !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "event 1") {
		t.Errorf("tampered: %v", err)
	}
	notZip := filepath.Join(dir, "contacts.csv")
	os.WriteFile(notZip, []byte("Id\n1\n"), 0o644)
	for _, args := range [][]string{{"verify", notZip}, {"verify", filepath.Join(dir, "missing.zip")}, {"verify"}} {
		if _, err := runCLI(t, env, args...); !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
}
