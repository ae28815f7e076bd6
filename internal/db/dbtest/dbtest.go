// Package dbtest gives each test its own fresh, fully migrated PostgreSQL
// database, cloned from a template database that is migrated once per
// schema version. It talks to the server named by
// BREACHDESK_TEST_DATABASE_URL, which `make test` starts and sets.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/db"
	"breachdesk/migrations"
)

// EnvURL names the variable holding the URL of a server where tests may
// create and drop databases.
const EnvURL = "BREACHDESK_TEST_DATABASE_URL"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// New creates a fresh database for t, migrated to the current schema, and
// returns a pool on it and its URL. Both are closed and the database dropped
// when t ends. Without EnvURL set, New fails the test with a hint.
func New(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts PostgreSQL and sets it", EnvURL)
	}
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, admin) })
	if templateErr != nil {
		t.Fatalf("prepare template database: %v", templateErr)
	}
	name := "bd_test_" + strings.ToLower(rand.Text()[:12])
	if err := adminExec(ctx, admin, "CREATE DATABASE "+name+" TEMPLATE "+templateName); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	url := withDatabase(t, admin, name)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		if err := adminExec(context.Background(), admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return pool, url
}

// ensureTemplate returns the name of a template database holding the
// current schema, creating it if no test process did yet. An advisory lock
// keeps parallel test binaries from building it twice.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	name := "bd_template_" + schemaHash()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7215350)"); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock(7215350)")
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		return "", err
	}
	cfg.ConnConfig.Database = building
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	slog.Debug("built template database", "name", name)
	return name, nil
}

// schemaHash identifies the migration files' content, so a changed
// migration gets a new template.
func schemaHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, path)
			fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func adminExec(ctx context.Context, admin, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(t testing.TB, admin, name string) string {
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	host := cfg.Host
	return fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=disable",
		host, cfg.Port, cfg.User, quote(cfg.Password), name)
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
