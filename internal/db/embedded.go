package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a private PostgreSQL cluster kept under the app's data folder,
// reachable only through a Unix socket. The zero value is not usable; call
// StartCluster.
type Cluster struct {
	bin     string // folder holding initdb, pg_ctl and postgres
	base    string // folder owned by the cluster's account: cluster/, server.log
	socket  string // folder of the Unix socket
	account *user.User
	owned   bool // this process started the server and stops it
	logger  *slog.Logger
}

// Database name and role the app uses inside its private cluster.
const (
	clusterDB   = "breachdesk"
	clusterRole = "breachdesk"
	clusterPort = 5432
	// maxSocketPath is the longest socket file path kept under the data
	// folder; Linux refuses Unix socket paths above 107 bytes.
	maxSocketPath = 100
)

// ClusterOptions configure StartCluster.
type ClusterOptions struct {
	// DataDir is the app's data folder; the cluster lives in DataDir/postgres.
	DataDir string
	// Account is the system account that runs the cluster when the process
	// runs as root (PostgreSQL refuses to run as root). It is created when
	// missing. Ignored when not root.
	Account string
	Logger  *slog.Logger
}

// StartCluster makes sure the private cluster for opts.DataDir is running:
// it finds the PostgreSQL server binaries, creates the cluster on first use,
// and starts it unless another process already did. Stop stops it only if
// this call started it. The returned URL-able cluster keeps its data across
// restarts.
func StartCluster(ctx context.Context, opts ClusterOptions) (*Cluster, error) {
	bin, err := FindServerBinaries()
	if err != nil {
		return nil, err
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	c := &Cluster{bin: bin, logger: opts.Logger}
	if os.Geteuid() == 0 {
		if c.account, err = ensureAccount(opts.Account); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	c.base = filepath.Join(dataDir, "postgres")
	if c.account != nil && !canTraverse(c.account, dataDir) {
		// A checkout under /root (mode 700) is out of reach of the
		// unprivileged account; keep the cluster where it can go.
		fallback := filepath.Join("/var/lib/breachdesk", shortHash(dataDir), "postgres")
		c.logger.Warn("data folder is not reachable by the database account; keeping the cluster elsewhere",
			"data_folder", dataDir, "account", c.account.Username, "cluster_folder", fallback)
		if err := os.MkdirAll(filepath.Dir(fallback), 0o755); err != nil {
			return nil, fmt.Errorf("create cluster folder: %w", err)
		}
		c.base = fallback
	}
	c.socket = filepath.Join(c.base, "run")
	if len(filepath.Join(c.socket, ".s.PGSQL.5432.lock")) > maxSocketPath {
		c.socket = filepath.Join(os.TempDir(), "breachdesk-"+shortHash(c.base))
	}
	for _, dir := range []string{c.base, c.socket} {
		if err := c.ownedDir(dir); err != nil {
			return nil, err
		}
	}

	unlock, err := lockFile(filepath.Join(c.base, "start.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	if _, err := os.Stat(filepath.Join(c.base, "cluster", "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		c.logger.Info("creating the database cluster", "folder", c.base)
		if err := c.pg(ctx, "initdb", "-D", filepath.Join(c.base, "cluster"), "-U", clusterRole,
			"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"); err != nil {
			return nil, fmt.Errorf("initdb: %w", err)
		}
	}
	if c.pg(ctx, "pg_ctl", "status", "-D", filepath.Join(c.base, "cluster")) == nil {
		c.logger.Info("using the database cluster that is already running", "socket", c.socket)
	} else {
		opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' -c unix_socket_permissions=0700 -p %d",
			c.socket, clusterPort)
		if err := c.pg(ctx, "pg_ctl", "start", "-D", filepath.Join(c.base, "cluster"), "-w", "-t", "60",
			"-l", filepath.Join(c.base, "server.log"), "-o", opts); err != nil {
			return nil, fmt.Errorf("start database cluster (log: %s): %w", filepath.Join(c.base, "server.log"), err)
		}
		c.owned = true
		c.logger.Info("database cluster started", "socket", c.socket)
	}
	if err := c.ensureDatabase(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// URL is the connection string of the app's database in the cluster.
func (c *Cluster) URL() string { return c.urlFor(clusterDB) }

func (c *Cluster) urlFor(db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", c.socket, clusterPort, clusterRole, db)
}

// Stop stops the cluster if this process started it, waiting for the
// server to shut down. Calling it again does nothing.
func (c *Cluster) Stop() error {
	if c == nil || !c.owned {
		return nil
	}
	c.owned = false
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := c.pg(ctx, "pg_ctl", "stop", "-D", filepath.Join(c.base, "cluster"), "-m", "fast", "-w"); err != nil {
		return fmt.Errorf("stop database cluster: %w", err)
	}
	c.logger.Info("database cluster stopped")
	return nil
}

func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.urlFor("postgres"))
	if err != nil {
		return fmt.Errorf("connect to database cluster: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", clusterDB).Scan(&exists); err != nil {
		return fmt.Errorf("look up database: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+clusterDB); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
	}
	return nil
}

// pg runs one of the PostgreSQL programs as the cluster's account.
func (c *Cluster) pg(ctx context.Context, program string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, program), args...)
	cmd.Dir = c.base
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.account != nil {
		uid, gid := ids(c.account)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
		cmd.Env = append(cmd.Env, "HOME="+c.base, "USER="+c.account.Username)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server running with our pipes unless it is
	// detached; a new session keeps SIGINT at the terminal from reaching it.
	cmd.SysProcAttr = withSetsid(cmd.SysProcAttr)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", program, strings.Join(args[:1], " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

func withSetsid(a *syscall.SysProcAttr) *syscall.SysProcAttr {
	if a == nil {
		a = &syscall.SysProcAttr{}
	}
	a.Setsid = true
	return a
}

// ownedDir creates dir (mode 0700) owned by the cluster's account.
func (c *Cluster) ownedDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	if c.account != nil {
		uid, gid := ids(c.account)
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	return nil
}

// FindServerBinaries returns the folder holding initdb, pg_ctl and postgres:
// from PATH first, then the newest /usr/lib/postgresql/*/bin.
func FindServerBinaries() (string, error) {
	var candidates []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versions, func(i, j int) bool { return pgVersion(versions[i]) > pgVersion(versions[j]) })
	candidates = append(candidates, versions...)
	for _, dir := range candidates {
		if hasAll(dir, "initdb", "pg_ctl", "postgres") {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or under /usr/lib/postgresql/*/bin: install the postgresql package (apt-get install postgresql) or set DATABASE_URL")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func hasAll(dir string, names ...string) bool {
	for _, n := range names {
		if st, err := os.Stat(filepath.Join(dir, n)); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

func ensureAccount(name string) (*user.User, error) {
	if u, err := user.Lookup(name); err == nil {
		return u, nil
	}
	out, err := exec.Command("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
		"--shell", "/usr/sbin/nologin", name).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("create system account %q for the database cluster: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return user.Lookup(name)
}

func ids(u *user.User) (uint32, uint32) {
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return uint32(uid), uint32(gid)
}

// canTraverse reports whether account may pass through every folder from
// the root down to dir (execute permission on each).
func canTraverse(account *user.User, dir string) bool {
	uid, gid := ids(account)
	groups := map[uint32]bool{gid: true}
	if gids, err := account.GroupIds(); err == nil {
		for _, g := range gids {
			n, _ := strconv.ParseUint(g, 10, 32)
			groups[uint32(n)] = true
		}
	}
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return false
		}
		sys := st.Sys().(*syscall.Stat_t)
		mode := st.Mode().Perm()
		var ok bool
		switch {
		case sys.Uid == uid:
			ok = mode&0o100 != 0
		case groups[sys.Gid]:
			ok = mode&0o010 != 0
		default:
			ok = mode&0o001 != 0
		}
		if !ok {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// lockFile takes an exclusive flock on path, so that two processes (the
// server and a CLI command) do not start the same cluster at once.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// StopRunning stops the cluster whoever started it.
func (c *Cluster) StopRunning() error {
	c.owned = true
	return c.Stop()
}
