package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/db/dbtest"
)

// cutProxy forwards TCP connections to a Postgres server and can cut them
// all, like a database that goes away, and come back on the same address.
type cutProxy struct {
	target   func() (net.Conn, error)
	addr     string
	mu       sync.Mutex
	ln       net.Listener
	conns    []net.Conn
	listenOK chan struct{}
}

func newCutProxy(t *testing.T, pgURL string) *cutProxy {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	host, port := cfg.ConnConfig.Host, cfg.ConnConfig.Port
	p := &cutProxy{target: func() (net.Conn, error) {
		if strings.HasPrefix(host, "/") {
			return net.Dial("unix", fmt.Sprintf("%s/.s.PGSQL.%d", host, port))
		}
		return net.Dial("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := p.target()
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every forwarded connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

func TestDatabaseGoesAwayAndComesBack(t *testing.T) {
	t.Parallel()
	_, url := dbtest.New(t)
	proxy := newCutProxy(t, url)
	cfg, _ := pgxpool.ParseConfig(url)
	host, port, _ := net.SplitHostPort(proxy.addr)
	cfg.ConnConfig.Host = host
	fmt.Sscan(port, &cfg.ConnConfig.Port)
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	app := newTestAppOn(t, pool)
	c, _ := app.signedIn(auth.RoleOfficer)
	if res := c.get("/cases"); res.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", res.StatusCode)
	}

	proxy.cut()
	if res := c.get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz while the database is away: %d", res.StatusCode)
	}
	if res := c.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("healthz while the database is away: %d", res.StatusCode)
	}
	res := c.get("/cases")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("page while the database is away: %d", res.StatusCode)
	}
	if got := text(doc(t, res), "error-title"); got != "Database unavailable" {
		t.Errorf("page title %q", got)
	}

	proxy.restore(t)
	deadline := time.Now().Add(15 * time.Second)
	for c.get("/readyz").StatusCode != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The session survived: the user is still signed in.
	if res := c.get("/cases"); res.StatusCode != http.StatusOK {
		t.Errorf("after recovery: %d %q", res.StatusCode, location(res))
	}
}
