package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"breachdesk/internal/auth"
	"breachdesk/internal/letter/lettertest"
)

func login(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	must(t, ctx, "login as "+email, chromedp.Navigate(base+"/login"), waitVisible("#email"),
		fill("#email", email), fill("#password", password), click("button.primary"), waitVisible(`[data-testid="current-user"]`))
}

func logout(t *testing.T, ctx context.Context) {
	t.Helper()
	must(t, ctx, "log out", click(`form[action="/logout"] button`), waitVisible("#email"))
}

// TestBrowserNoticeReview drafts the notices of a case, has a reviewer
// comment and ask for changes, the officer edit, the reviewer approve, and
// downloads the approved PDF.
func TestBrowserNoticeReview(t *testing.T) {
	app := startApp(t)
	pool := app.addUsers(t, dana,
		auth.NewUser{Email: "riley@example.com", DisplayName: "Riley Park", Role: auth.RoleReviewer, Password: "riley's own passphrase"})
	if _, err := pool.Exec(context.Background(), `UPDATE org_settings SET org_name = 'Acme Outfitters', org_address = '1 Market St, San Francisco, CA 94105',
		contact_email = 'privacy@acme.example', contact_phone = '1-800-555-0199', id_protection_offer = 'credit monitoring', id_protection_months = 24`); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, app.Env, "case", "open", "--as", "dana@example.com", "--title", "Support permission set exposed Contacts",
		"--discovered", time.Now().Add(-20*time.Hour).UTC().Format(time.RFC3339), "--elements", "name,ssn", "--encrypted=false")
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimSpace(out)
	export := filepath.Join(t.TempDir(), "contacts.csv")
	os.WriteFile(export, []byte("Id,FirstName,LastName,MailingStreet,MailingCity,MailingState,MailingPostalCode\n"+
		"003A1,Ana,Ruiz,12 Elm St,Sacramento,CA,95814\n003A2,Bo,Chen,34 Oak Ave,Fresno,CA,93721\n"), 0o644)
	if out, err := runCLI(t, app.Env, "residents", "import", "--as", "dana@example.com", "--case", ref, export); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}

	ctx := newBrowser(t)
	login(t, ctx, app.URL, dana.Email, dana.Password)
	must(t, ctx, "accept obligations", chromedp.Navigate(app.URL+"/cases/"+ref), waitVisible(`[data-testid="ob-accept"]`), click(`[data-testid="ob-accept"]`))
	// The old page stays on screen while the form posts: wait for the
	// answer before clicking on, or the next click races the first post.
	waitPrefix(t, ctx, `[data-testid="flash"]`, "Obligations accepted", 30*time.Second)
	must(t, ctx, "draft notices", waitVisible(`[data-testid="make-drafts"]`), click(`[data-testid="make-drafts"]`), waitVisible(`[data-testid="notices"] a`))
	must(t, ctx, "obligations", chromedp.ScrollIntoView(chromedp.CSS("#obligations")))
	if dir := os.Getenv("BREACHDESK_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(dir, "29-case-obligations-drafts.png"), png, 0o644)
		}
	}
	draftURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="notices"] a')]
		.find(a => a.textContent.startsWith('Notice CA') && /resident/.test(a.textContent)).href`))
	if err != nil {
		t.Fatalf("find the California consumer notice: %v", err)
	}
	must(t, ctx, "ask for review", chromedp.Navigate(draftURL), waitVisible(`[data-testid="letter"]`), click(`[data-testid="submit"]`))
	waitText(t, ctx, `[data-testid="draft-status"]`, "In review", 10*time.Second)
	screenshot(t, ctx, "30-draft-in-review")
	logout(t, ctx)

	login(t, ctx, app.URL, "riley@example.com", "riley's own passphrase")
	// A reviewer may edit letter templates.
	must(t, ctx, "templates", chromedp.Navigate(app.URL+"/templates"), waitVisible(`[data-testid="templates"]`),
		click(`[data-testid="templates"] a`), waitVisible(`[data-testid="template-form"]`))
	screenshot(t, ctx, "35-letter-template")
	must(t, ctx, "comment", chromedp.Navigate(draftURL), waitVisible(`[data-testid="review-form"]`),
		fill("#comment", "Name the system that leaked."), click(`[data-testid="review-form"] button[value="comment"]`))
	waitText(t, ctx, `[data-testid="flash"]`, "Review recorded.", 10*time.Second)
	must(t, ctx, "request changes", fill("#comment", "Say it was Salesforce."), click(`[data-testid="request-changes"]`))
	waitText(t, ctx, `[data-testid="draft-status"]`, "Changes requested", 10*time.Second)
	if got := textOf(t, ctx, `[data-testid="history"]`); !strings.Contains(got, "Name the system that leaked.") || !strings.Contains(got, "Say it was Salesforce.") {
		t.Errorf("history %q", got)
	}
	logout(t, ctx)

	login(t, ctx, app.URL, dana.Email, dana.Password)
	must(t, ctx, "edit", chromedp.Navigate(draftURL), waitVisible("#body"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#body').value = document.querySelector('#body').value.replace('customer records system', 'Salesforce org')`),
		click(`form[action$="/edit"] button.primary`))
	waitText(t, ctx, `[data-testid="flash"]`, "Saved as a new version.", 10*time.Second)
	must(t, ctx, "ask for review again", click(`[data-testid="submit"]`))
	waitText(t, ctx, `[data-testid="draft-status"]`, "In review", 10*time.Second)
	logout(t, ctx)

	login(t, ctx, app.URL, "riley@example.com", "riley's own passphrase")
	must(t, ctx, "approve", chromedp.Navigate(draftURL+"?diff=1"), waitVisible(`[data-testid="diff"]`))
	if got := textOf(t, ctx, `[data-testid="diff"] ins`); !strings.Contains(got, "Salesforce") {
		t.Errorf("diff inserts %q", got)
	}
	screenshot(t, ctx, "31-draft-diff")
	must(t, ctx, "approve", click(`[data-testid="approve"]`))
	waitText(t, ctx, `[data-testid="draft-status"]`, "Approved", 10*time.Second)
	sha := textOf(t, ctx, `[data-testid="version-sha"]`)
	screenshot(t, ctx, "32-draft-approved")

	dir := t.TempDir()
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}), click(`[data-testid="download-pdf"]`)); err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && pdf == nil; time.Sleep(200 * time.Millisecond) {
		matches, _ := filepath.Glob(filepath.Join(dir, "*-CA-individuals-v2.pdf"))
		if len(matches) == 1 {
			pdf, _ = os.ReadFile(matches[0])
		}
	}
	got, err := lettertest.ReadPDF(pdf)
	if err != nil {
		t.Fatalf("downloaded PDF: %v", err)
	}
	if text := got.Text(); !strings.Contains(text, "Salesforce org") || !strings.Contains(text, sha[:16]) || !strings.Contains(text, "Acme Outfitters") {
		t.Errorf("PDF text:\n%s", text)
	}

	screenshot(t, ctx, "33-draft-pdf-downloaded")

	// The officer exports the case record and an auditor's form verifies it.
	logout(t, ctx)
	login(t, ctx, app.URL, dana.Email, dana.Password)
	must(t, ctx, "mail-merge form", chromedp.Navigate(draftURL), waitVisible(`[data-testid="mail-merge"]`))
	if got := textOf(t, ctx, `[data-testid="mail-merge"] p.muted`); !strings.HasPrefix(got, "2 letters") {
		t.Errorf("mail-merge offers %q", got)
	}
	screenshot(t, ctx, "33-mail-merge")
	must(t, ctx, "export", chromedp.Navigate(app.URL+"/cases/"+ref), click(`[data-testid="export-case"]`))
	var record string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && record == ""; time.Sleep(200 * time.Millisecond) {
		if matches, _ := filepath.Glob(filepath.Join(dir, ref+"-case-record-*.zip")); len(matches) == 1 {
			if st, err := os.Stat(matches[0]); err == nil && st.Size() > 0 {
				record = matches[0]
			}
		}
	}
	if record == "" {
		t.Fatal("the case record was not downloaded")
	}
	time.Sleep(500 * time.Millisecond) // let the download finish writing
	must(t, ctx, "verify", chromedp.Navigate(app.URL+"/verify"), waitVisible(`[data-testid="verify-form"]`),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{record}), click(`[data-testid="verify-form"] button.primary`),
		waitVisible(`[data-testid="verdict"]`))
	if got := textOf(t, ctx, `[data-testid="verdict"]`); !strings.Contains(got, "Intact.") || !strings.Contains(got, ref) || !strings.Contains(got, "event") {
		t.Errorf("verdict %q", got)
	}
	screenshot(t, ctx, "34-export-verified")
}
