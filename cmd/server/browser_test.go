package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
)

// newBrowser starts headless Chromium (Debian's package) for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found: run `make test`, which installs it, or apt-get install chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// The first call starts the browser and must have no timeout; later
	// calls run under one derived from it.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return tctx
}

// screenshot saves the page as PNG under $BREACHDESK_SCREENSHOTS, when set,
// for a person to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("BREACHDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("wait for %s: %v", sel, err)
	}
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitText polls until the element's text is want, riding out page loads
// (a script may reload the page meanwhile).
func waitText(t *testing.T, ctx context.Context, sel, want string, timeout time.Duration) {
	t.Helper()
	waitFor(t, ctx, sel, func(s string) bool { return s == want }, "be "+strconv.Quote(want), timeout)
}

// waitPrefix polls until the element's text starts with prefix.
func waitPrefix(t *testing.T, ctx context.Context, sel, prefix string, timeout time.Duration) {
	t.Helper()
	waitFor(t, ctx, sel, func(s string) bool { return strings.HasPrefix(s, prefix) }, "start with "+strconv.Quote(prefix), timeout)
}

func waitFor(t *testing.T, ctx context.Context, sel string, ok func(string) bool, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if last = strings.TrimSpace(got); err == nil && ok(last) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: text %q, want it to %s after %s", sel, last, want, timeout)
}

func must(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		page, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`location.href + " | " + document.body.innerText.slice(0, 600)`))
		t.Fatalf("%s: %v\npage: %s", what, err, page)
	}
}

func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), value)
}

func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

func waitVisible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// addUsers opens a pool on the app's database, closed when the test ends,
// and creates the accounts there (the browser tests start from them).
func (a *startedApp) addUsers(t *testing.T, users ...auth.NewUser) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), a.Env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	for _, u := range users {
		if _, err := auth.NewStore(pool).Create(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	return pool
}

// dana is the officer the browser tests sign in as.
var dana = auth.NewUser{Email: "dana@example.com", DisplayName: "Dana Whitfield", Role: auth.RoleOfficer, Password: "dana's own passphrase"}

func TestBrowserAccountsFlow(t *testing.T) {
	app := startApp(t)
	ctx := newBrowser(t)

	// First start: the printed link creates the administrator.
	must(t, ctx, "open setup link", chromedp.Navigate(app.setupLink(t)), waitVisible("#display_name"))
	screenshot(t, ctx, "01-setup")
	must(t, ctx, "fill setup form",
		fill("#display_name", "Avery Lindqvist"), fill("#email", "avery@example.com"),
		fill("#password", "first admin passphrase"), fill("#password_confirm", "first admin passphrase"),
		click("button.primary"))
	if got := textOf(t, ctx, `[data-testid="current-role"]`); got != "Administrator" {
		t.Fatalf("after setup the header says %q", got)
	}
	screenshot(t, ctx, "02-cases-empty")

	// The admin adds an officer and reads the generated password.
	must(t, ctx, "open admin", click(`nav a[href="/admin/users"]`), waitVisible(`[data-testid="users"]`))
	must(t, ctx, "add officer",
		fill("#display_name", "Dana Whitfield"), fill("#email", "dana@example.com"),
		chromedp.SetValue(chromedp.CSS("#new-role"), "officer"), click("form.card button.primary"))
	password := textOf(t, ctx, `[data-testid="issued-secret"]`)
	screenshot(t, ctx, "03-admin-users")

	// Log out.
	must(t, ctx, "log out", click(".who button"), waitVisible("#password"))
	waitText(t, ctx, `[data-testid="flash"]`, "You are signed out.", 20*time.Second)

	// Wrong password.
	must(t, ctx, "wrong password", fill("#email", "dana@example.com"), fill("#password", "not her password"), click("button.primary"))
	if got := textOf(t, ctx, `[data-testid="form-error"]`); got != "Wrong e-mail or password." {
		t.Errorf("wrong password message %q", got)
	}
	screenshot(t, ctx, "04-login-wrong-password")

	// Right password, then the forced change.
	// The refused form kept the e-mail; only the password is typed again.
	must(t, ctx, "login", fill("#password", password), click("button.primary"))
	textOf(t, ctx, `[data-testid="must-change"]`)
	must(t, ctx, "change password", fill("#current_password", password),
		fill("#new_password", "dana's own passphrase"), fill("#new_password_confirm", "dana's own passphrase"), click("button.primary"))
	if got := textOf(t, ctx, `[data-testid="flash"]`); got != "Your password has been changed." {
		t.Errorf("after password change: %q", got)
	}
	if got := textOf(t, ctx, `[data-testid="current-role"]`); got != "Compliance officer" {
		t.Errorf("officer header %q", got)
	}

	// An officer is refused the admin page.
	must(t, ctx, "officer opens admin", chromedp.Navigate(app.URL+"/admin/users"))
	if got := textOf(t, ctx, `[data-testid="error-title"]`); got != "Not allowed" {
		t.Errorf("officer on admin page sees %q", got)
	}
	screenshot(t, ctx, "05-forbidden")

	// A form on another site that posts to Breachdesk is refused.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><form method="post" action="%s/account/password">
			<input name="current_password" value="dana's own passphrase">
			<input name="new_password" value="attacker passphrase">
			<input name="new_password_confirm" value="attacker passphrase">
			<button id="go">Win a prize</button></form>`, app.URL)
	}))
	defer evil.Close()
	// localhost is another site than 127.0.0.1 for the browser.
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	must(t, ctx, "cross-site form", chromedp.Navigate(evilURL), click("#go"))
	if got := textOf(t, ctx, `[data-testid="error-title"]`); got != "Request refused" {
		t.Errorf("cross-site post answered %q", got)
	}
	screenshot(t, ctx, "06-cross-site-refused")
	// The password did not change: the old one still signs in.
	must(t, ctx, "log out", chromedp.Navigate(app.URL+"/cases"), click(".who button"), waitVisible("#password"))
	must(t, ctx, "login again", fill("#email", "dana@example.com"), fill("#password", "dana's own passphrase"), click("button.primary"))
	if got := textOf(t, ctx, `[data-testid="current-role"]`); got != "Compliance officer" {
		t.Errorf("after the refused cross-site post, login with the unchanged password shows %q", got)
	}
}

func TestBrowserCaseFlow(t *testing.T) {
	app := startApp(t)
	app.addUsers(t, dana)
	ctx := newBrowser(t)
	login(t, ctx, app.URL, dana.Email, dana.Password)
	discovered := time.Now().Add(-60 * time.Hour).UTC().Format("2006-01-02T15:04")
	must(t, ctx, "open the case form", click(`[data-testid="open-case"]`), waitVisible("#title"),
		fill("#title", "OAuth token of the marketing sync app used from abroad"),
		chromedp.SetValue(chromedp.CSS("#zone"), "UTC"),
		chromedp.SetValue(chromedp.CSS("#discovered_at"), discovered),
		click(`input[name="elements"][value="email"]`), click(`input[name="elements"][value="name"]`))
	screenshot(t, ctx, "10-open-case-form")
	must(t, ctx, "submit", click("form.card button.primary"), waitVisible(`[data-testid="clocks"]`))
	if got := textOf(t, ctx, `[data-testid="flash"]`); !strings.Contains(got, "is open") {
		t.Errorf("flash %q", got)
	}
	// The countdown ticks without a reload.
	first := textOf(t, ctx, `[data-testid="countdown"]`)
	time.Sleep(1500 * time.Millisecond)
	second := textOf(t, ctx, `[data-testid="countdown"]`)
	if first == second || !strings.HasSuffix(second, "left") {
		t.Errorf("countdown did not tick: %q then %q", first, second)
	}
	if got := textOf(t, ctx, `[data-testid="clock"] .clock-band`); !strings.EqualFold(got, "Under 24 h") {
		t.Errorf("band %q", got)
	}
	screenshot(t, ctx, "11-case-page")
	// Complete the first task; it shows on the timeline.
	must(t, ctx, "complete a task",
		chromedp.SetValue(chromedp.CSS(`[data-testid^="task-"] select[name="status"]`), "done"),
		click(`[data-testid="task-save"]`))
	waitText(t, ctx, `[data-testid="flash"]`, "Task updated.", 20*time.Second)
	if got := textOf(t, ctx, `[data-testid^="task-"] [data-testid="task-status"]`); got != "Done" {
		t.Errorf("task status %q", got)
	}
	if got := textOf(t, ctx, `[data-testid="event-kind"]`); got != "task.status" {
		t.Errorf("newest timeline event %q", got)
	}
	screenshot(t, ctx, "12-task-done")
}

func TestBrowserResidentsImport(t *testing.T) {
	app := startApp(t)
	app.addUsers(t, dana)
	out, err := runCLI(t, app.Env, "case", "open", "--as", "dana@example.com", "--title", "Bulk API export of Contacts",
		"--discovered", time.Now().Add(-30*time.Hour).UTC().Format(time.RFC3339), "--elements", "name,ssn,email", "--encrypted=false")
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimSpace(out)
	csvPath := filepath.Join(t.TempDir(), "contacts.csv")
	if _, err := runCLI(t, app.Env, "gen-crm", "--rows", "3000", "--seed", "9", "-o", csvPath); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t)
	login(t, ctx, app.URL, dana.Email, dana.Password)
	must(t, ctx, "residents page", chromedp.Navigate(app.URL+"/cases/"+ref), click(`[data-testid="residents-link"]`),
		waitVisible(`[data-testid="upload-form"]`),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csvPath}),
		click(`[data-testid="upload-form"] button.primary`), waitVisible(`[data-testid="preview"]`))
	screenshot(t, ctx, "20-import-preview")
	must(t, ctx, "start", click(`[data-testid="start"]`))
	// The page follows the job by itself until the import is done.
	waitText(t, ctx, `[data-testid="status"]`, "Imported", 60*time.Second)
	screenshot(t, ctx, "21-import-done")
	must(t, ctx, "counts", chromedp.Navigate(app.URL+"/cases/"+ref+"/residents"), waitVisible(`[data-testid="usmap"]`))
	if got := textOf(t, ctx, `[data-testid="total"]`); got != "3000 people" {
		t.Errorf("total %q", got)
	}
	screenshot(t, ctx, "22-residents")
	// A state's link lists as many people as its row counts.
	caRow, err := chromedp.Run(ctx, chromedp.Text(chromedp.Search(`//tr[td/a[contains(@href,"jurisdiction=CA")]]/td[2]`)))
	if err != nil || strings.TrimSpace(caRow) == "" {
		t.Fatalf("California's row: %q, %v", caRow, err)
	}
	must(t, ctx, "CA people", click(`a[href$="people?jurisdiction=CA"]`), waitVisible(`[data-testid="people"]`))
	if got := textOf(t, ctx, `[data-testid="people-count"]`); got != strings.TrimSpace(caRow)+" people" {
		t.Errorf("California lists %q; its row counts %q", got, caRow)
	}
	screenshot(t, ctx, "22b-people-CA")
	must(t, ctx, "case page", chromedp.Navigate(app.URL+"/cases/"+ref), waitVisible(`[data-testid="obligations"]`),
		chromedp.ScrollIntoView(chromedp.CSS("#obligations")))
	if dir := os.Getenv("BREACHDESK_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(dir, "23-case-obligations.png"), png, 0o644)
		}
	}
}
