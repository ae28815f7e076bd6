package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"breachdesk/internal/db/dbtest"
)

// syncBuffer is a bytes.Buffer safe for one writer and polling readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFunc(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// runCLI runs one subcommand to completion and returns what it printed.
func runCLI(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, envFunc(env), &out, io.Discard)
	return out.String(), err
}

// startedApp is the real program serving on a free port.
type startedApp struct {
	URL    string
	Stdout *syncBuffer
	Env    map[string]string
}

var servingLine = regexp.MustCompile(`serving at (http://\S+)`)

// startApp calls run as main does, on a fresh database, waits for /healthz
// and stops the program (gracefully) when the test ends.
func startApp(t *testing.T) *startedApp {
	t.Helper()
	_, dbURL := dbtest.New(t)
	env := map[string]string{"DATABASE_URL": dbURL, "LISTEN_ADDR": "127.0.0.1:0", "BREACHDESK_LOG_FORMAT": "json",
		"BREACHDESK_DATA": t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envFunc(env), out, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v\n%s", err, out.String())
		default:
		}
		if m := servingLine.FindStringSubmatch(out.String()); m != nil {
			if res, err := http.Get(m[1] + "/healthz"); err == nil && res.StatusCode == http.StatusOK {
				res.Body.Close()
				return &startedApp{URL: m[1], Stdout: out, Env: env}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("app not healthy after 30 s; stdout:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var setupLink = regexp.MustCompile(`(http://\S+/setup/[A-Z0-9]+)`)

func (a *startedApp) setupLink(t *testing.T) string {
	t.Helper()
	m := setupLink.FindStringSubmatch(a.Stdout.String())
	if m == nil {
		t.Fatalf("no setup link printed:\n%s", a.Stdout.String())
	}
	return m[1]
}

func (a *startedApp) String() string { return fmt.Sprintf("app at %s", a.URL) }
