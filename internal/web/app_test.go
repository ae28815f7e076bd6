package web

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/db/dbtest"
	"breachdesk/internal/jobs"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

const testPassword = "correct horse battery"

// testApp is the whole web app on a fresh database, served by httptest.
type testApp struct {
	t      testing.TB
	srv    *httptest.Server
	pool   *pgxpool.Pool
	users  *auth.Store
	people *residents.Service
}

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	pool, _ := dbtest.New(t)
	return newTestAppOn(t, pool)
}

func newTestAppOn(t testing.TB, pool *pgxpool.Pool) *testApp {
	t.Helper()
	logger := slog.New(LogHandler(slog.NewTextHandler(io.Discard, nil)))
	if testing.Verbose() {
		logger = slog.New(LogHandler(slog.NewTextHandler(testWriter{t}, nil)))
	}
	store := pgxstore.NewWithCleanupInterval(pool, 0)
	sessions := NewSessionManager(store, 30*time.Minute, 12*time.Hour, false)
	users := auth.NewStore(pool)
	master, err := residents.ParseMasterKey(residents.NewMasterKeyText())
	if err != nil {
		t.Fatal(err)
	}
	queue, err := jobs.New(pool, logger, 1)
	if err != nil {
		t.Fatal(err)
	}
	people := residents.NewService(pool, residents.NewKeyring(pool, master), queue)
	queue.SetResidents(people)
	if err := queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rules, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(logger, pool, sessions, users, people, master, rules, Config{}))
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		queue.Stop(ctx)
	})
	return &testApp{t: t, srv: srv, pool: pool, users: users, people: people}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// user creates an active account with testPassword.
func (a *testApp) user(role auth.Role) auth.User {
	a.t.Helper()
	u, err := a.users.Create(context.Background(), auth.NewUser{
		Email: string(role) + "-" + strings.ToLower(randomSuffix()) + "@example.com", DisplayName: "Test " + string(role),
		Role: role, Password: testPassword,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

func randomSuffix() string { return rand.Text()[:10] }

// client is a browser-like client: it keeps cookies, sends a same-origin
// Origin header on posts and does not follow redirects.
type client struct {
	t   testing.TB
	app *testApp
	hc  *http.Client
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn returns a client signed in as a new user of role.
func (a *testApp) signedIn(role auth.Role) (*client, auth.User) {
	a.t.Helper()
	u := a.user(role)
	c := a.client()
	res := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("login as %s: status %d", role, res.StatusCode)
	}
	return c, u
}

func (c *client) do(req *http.Request) *http.Response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	return res
}

func (c *client) get(path string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.srv.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	return c.postWith(path, form, map[string]string{"Origin": c.app.srv.URL})
}

func (c *client) postWith(path string, form url.Values, headers map[string]string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// cookie returns the session cookie value the client holds.
func (c *client) cookie() string {
	u, _ := url.Parse(c.app.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "breachdesk_session" {
			return ck.Value
		}
	}
	return ""
}

func doc(t *testing.T, res *http.Response) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// text returns the trimmed text of the first element matching the
// data-testid.
func text(d *goquery.Document, testid string) string {
	return strings.TrimSpace(d.Find(`[data-testid="` + testid + `"]`).First().Text())
}

func location(res *http.Response) string {
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc == nil {
		return ""
	}
	return loc.Path
}

// caseWithEvidence opens a case owned by a new officer and adds a PDF as
// evidence on its first task.
func (a *testApp) caseWithEvidence() (cases.Case, cases.Task, cases.Evidence) {
	a.t.Helper()
	ctx := context.Background()
	owner := a.user(auth.RoleOfficer)
	svc := cases.NewService(a.pool)
	act := cases.Actor{ID: owner.ID, Email: owner.Email}
	c, err := svc.Open(ctx, act, cases.NewCase{Facts: cases.Facts{
		Title: "Support permission set exported Contacts", Severity: "critical", OwnerID: owner.ID,
		DiscoveredAt: time.Now().Add(-70 * time.Hour).UTC().Truncate(time.Minute),
	}})
	if err != nil {
		a.t.Fatal(err)
	}
	tasks, err := svc.Tasks(ctx, c.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := svc.AddEvidence(ctx, act, c.Reference, tasks[0].ID, "Revocation log", &cases.Upload{Name: "revocation.txt", Data: []byte("tokens revoked 09:40\n")}); err != nil {
		a.t.Fatal(err)
	}
	ev, err := svc.Evidence(ctx, c.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return c, tasks[0], ev[0]
}

type (
	goquerySelection = goquery.Selection
	goqueryDocument  = goquery.Document
)

func readBody(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
