package main

import (
	"context"
	"strings"
	"testing"

	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
)

func TestUserAddPrintsAPasswordThatSignsIn(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.New(t)
	env := map[string]string{"DATABASE_URL": url}
	out, err := runCLI(t, env, "user", "add", "--email", "Ops@Example.com", "--role", "officer", "--name", "Ops Person")
	if err != nil {
		t.Fatal(err)
	}
	_, pw, ok := strings.Cut(out, "first sign-in): ")
	pw = strings.TrimSpace(pw)
	if !ok || pw == "" {
		t.Fatalf("no password in output %q", out)
	}
	u, err := auth.NewStore(pool).Authenticate(context.Background(), "ops@example.com", pw, "cli-test")
	if err != nil {
		t.Fatalf("printed password does not sign in: %v", err)
	}
	if u.Role != auth.RoleOfficer || u.DisplayName != "Ops Person" || !u.MustChangePassword {
		t.Errorf("stored %+v", u)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "--email", "ops@example.com", "--role", "auditor"}, "already exists"},
		{[]string{"user", "add", "--email", "x@example.com", "--role", "boss"}, `Unknown role "boss"`},
		{[]string{"user", "add", "--role", "admin"}, "--email and --role are required"},
		{[]string{"user", "add", "--email", "not-an-address", "--role", "admin"}, "e-mail address"},
		{[]string{"user", "add", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"user", "remove"}, "usage: breachdesk user add"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		_, err := runCLI(t, env, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.args, err, c.want)
		}
	}
	if n, _ := auth.NewStore(pool).Count(context.Background()); n != 1 {
		t.Errorf("%d accounts after refused commands, want 1", n)
	}
}

func TestMigrateAndDemoAreRepeatable(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.New(t)
	env := map[string]string{"DATABASE_URL": url, "BREACHDESK_DATA": t.TempDir()}
	if out, err := runCLI(t, env, "migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	out, err := runCLI(t, env, "demo")
	if err != nil {
		t.Fatal(err)
	}
	users, _ := auth.NewStore(pool).List(context.Background())
	roles := map[auth.Role]int{}
	for _, u := range users {
		roles[u.Role]++
		if !strings.HasSuffix(u.Email, "@example.com") {
			t.Errorf("demo user %s is not on a reserved example domain", u.Email)
		}
	}
	if len(users) != len(demoUsers) || roles[auth.RoleAdmin] == 0 || roles[auth.RoleOfficer] == 0 || roles[auth.RoleReviewer] == 0 || roles[auth.RoleAuditor] == 0 {
		t.Errorf("demo made %d users with roles %v", len(users), roles)
	}
	if strings.Count(out, "@example.com") != len(demoUsers) {
		t.Errorf("demo output:\n%s", out)
	}
	if !strings.Contains(out, "Demo case BR-") {
		t.Errorf("demo opened no case:\n%s", out)
	}
	out, err = runCLI(t, env, "demo")
	if err != nil || strings.Count(out, "already exists") != len(demoUsers) || strings.Contains(out, "Demo case") {
		t.Errorf("second demo: %v\n%s", err, out)
	}
	var cases, done int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM cases`).Scan(&cases)
	pool.QueryRow(context.Background(), `SELECT count(*) FROM case_tasks WHERE status = 'done'`).Scan(&done)
	if cases != 1 || done != 3 {
		t.Errorf("demo left %d cases with %d tasks done, want 1 and 3", cases, done)
	}
	var states, triggered int
	pool.QueryRow(context.Background(), `SELECT count(DISTINCT jurisdiction) FROM residents WHERE jurisdiction IS NOT NULL`).Scan(&states)
	pool.QueryRow(context.Background(), `SELECT count(DISTINCT jurisdiction) FROM obligations WHERE status = 'triggered' AND due_at IS NOT NULL`).Scan(&triggered)
	if states < 20 || triggered < 10 {
		t.Errorf("demo case spans %d states with %d jurisdictions' dated obligations", states, triggered)
	}
}

func TestDatabaseDownAtStartGivesAClearError(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL":       "host=127.0.0.1 port=1 user=x dbname=x sslmode=disable connect_timeout=1",
		"BREACHDESK_DB_WAIT": "1s",
	}
	_, err := runCLI(t, env, "serve")
	if err == nil || !strings.Contains(err.Error(), "not reachable after 1s") || !strings.Contains(err.Error(), "host=127.0.0.1 port=1") {
		t.Errorf("got %v", err)
	}
}

func TestBadConfigurationIsNamed(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"BREACHDESK_SESSION_IDLE": "BREACHDESK_SESSION_IDLE=\"soon\" is not a positive duration",
		"BREACHDESK_LOG_FORMAT":   "BREACHDESK_LOG_FORMAT=\"soon\": use auto, json or text",
		"BREACHDESK_TLS_CERT":     "set both or neither",
		"BREACHDESK_TRUST_PROXY":  "BREACHDESK_TRUST_PROXY=\"soon\" is not true or false",
	} {
		_, err := runCLI(t, map[string]string{env: "soon"}, "serve")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=soon: got %v, want %q", env, err, want)
		}
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	// startApp's cleanup cancels the context and fails the test unless run
	// returns nil within the shutdown window.
	app := startApp(t)
	if !strings.Contains(app.Stdout.String(), "/setup/") {
		t.Errorf("no setup link on first start:\n%s", app.Stdout.String())
	}
}
