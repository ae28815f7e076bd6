package db

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPrivateCluster starts a real cluster from the installed server
// binaries in a data folder that has both traps seen on these machines: a
// path too long for a Unix socket, and (as root) a parent the database
// account cannot traverse, as t.TempDir's mode 0700 is.
func TestPrivateCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dataDir := filepath.Join(t.TempDir(), strings.Repeat("a-rather-long-folder-name-", 4), "data")
	opts := ClusterOptions{DataDir: dataDir, Account: "breachdesk", Logger: logger}

	first, err := StartCluster(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		first.StopRunning()
		if strings.HasPrefix(first.base, "/var/lib/breachdesk/") {
			os.RemoveAll(filepath.Dir(first.base))
		}
	})
	if !first.owned {
		t.Error("the first start does not own the cluster")
	}
	if n := len(filepath.Join(first.socket, ".s.PGSQL.5432")); n > maxSocketPath {
		t.Errorf("socket path is %d bytes long", n)
	}
	if os.Geteuid() == 0 && !strings.HasPrefix(first.base, "/var/lib/breachdesk/") {
		t.Errorf("as root with an unreachable data folder, the cluster went to %s", first.base)
	}
	if st, err := os.Stat(first.socket); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("socket folder %s: %v %v, want mode 0700", first.socket, st.Mode(), err)
	}
	execSQL(t, first.URL(), `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`)

	// A second process (a CLI command) uses the running cluster and leaves
	// it running.
	second, err := StartCluster(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if second.owned || second.URL() != first.URL() {
		t.Errorf("second start: owned=%v url=%q", second.owned, second.URL())
	}
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	execSQL(t, first.URL(), `SELECT 1`)

	// The owner stops it; nothing listens any more.
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(cctx, first.URL()); err == nil {
		conn.Close(ctx)
		t.Fatal("cluster still answers after Stop")
	}

	// Data survives a restart.
	again, err := StartCluster(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Stop()
	var v string
	conn, err := pgx.Connect(ctx, again.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT v FROM kept`).Scan(&v); err != nil || v != "still here" {
		t.Errorf("after restart: %q %v", v, err)
	}
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

func TestFindServerBinaries(t *testing.T) {
	dir, err := FindServerBinaries()
	if err != nil {
		t.Fatal(err)
	}
	if !hasAll(dir, "initdb", "pg_ctl", "postgres") {
		t.Errorf("%s lacks a server binary", dir)
	}
}

// TestPrivateClusterLongReachablePath: a reachable data folder whose path is
// too long for a socket keeps the cluster there and the socket in /tmp.
func TestPrivateClusterLongReachablePath(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	root, err := os.MkdirTemp("", "bd-long-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	dataDir := filepath.Join(root, strings.Repeat("b", 60), strings.Repeat("c", 60))
	c, err := StartCluster(context.Background(), ClusterOptions{DataDir: dataDir, Account: "breachdesk", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if c.base != filepath.Join(dataDir, "postgres") {
		t.Errorf("cluster in %s, want under the data folder", c.base)
	}
	if !strings.HasPrefix(c.socket, os.TempDir()) {
		t.Errorf("socket folder %s, want a short one in %s", c.socket, os.TempDir())
	}
	execSQL(t, c.URL(), `SELECT 1`)
}
