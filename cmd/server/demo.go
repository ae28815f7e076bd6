package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
)

// demoUsers are synthetic people of a fictional retailer; example.com
// addresses never reach anyone.
var demoUsers = []auth.NewUser{
	{Email: "avery.admin@example.com", DisplayName: "Avery Lindqvist", Role: auth.RoleAdmin},
	{Email: "dana.officer@example.com", DisplayName: "Dana Whitfield", Role: auth.RoleOfficer},
	{Email: "omar.officer@example.com", DisplayName: "Omar Haddad", Role: auth.RoleOfficer},
	{Email: "riley.reviewer@example.com", DisplayName: "Riley Okafor", Role: auth.RoleReviewer},
	{Email: "sam.auditor@example.com", DisplayName: "Sam Novak", Role: auth.RoleAuditor},
}

// demoCmd loads the synthetic sample. It is safe to run twice: people who
// exist already are left as they are.
func demoCmd(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	users := auth.NewStore(pool)
	fmt.Fprintln(stdout, "Demo accounts (passwords shown once; each must be changed at first sign-in):")
	for _, n := range demoUsers {
		n.Password = auth.GeneratePassword()
		n.MustChangePassword = true
		u, err := users.Create(ctx, n)
		if errors.Is(err, auth.ErrEmailTaken) {
			fmt.Fprintf(stdout, "  %-28s %-9s already exists\n", n.Email, n.Role)
			continue
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", n.Email, err)
		}
		fmt.Fprintf(stdout, "  %-28s %-9s %s\n", u.Email, u.Role, n.Password)
	}
	master, err := loadMasterKey(cfg, logger, stdout)
	if err != nil {
		return err
	}
	return demoCase(ctx, pool, master, stdout)
}

// demoCase opens a sample case with a running clock and a partly done
// playbook, unless the demo officer already has one.
func demoCase(ctx context.Context, pool *pgxpool.Pool, master residents.MasterKey, stdout io.Writer) error {
	officer, err := auth.NewStore(pool).ByEmail(ctx, "dana.officer@example.com")
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE title = $1)`, demoCaseTitle).Scan(&exists); err != nil || exists {
		return err
	}
	svc := cases.NewService(pool)
	actor := cases.Actor{ID: officer.ID, Email: officer.Email}
	yes, no := true, false
	from := time.Now().Add(-9 * 24 * time.Hour).UTC().Truncate(time.Minute)
	to := time.Now().Add(-2 * 24 * time.Hour).UTC().Truncate(time.Minute)
	c, err := svc.Open(ctx, actor, cases.NewCase{Facts: cases.Facts{
		Title:    demoCaseTitle,
		Summary:  "A refresh token of the marketing-sync connected app was used from an unknown network to export Contacts through the Bulk API.",
		Severity: "high", OwnerID: officer.ID,
		OccurredFrom: &from, OccurredTo: &to,
		DiscoveredAt:    time.Now().Add(-20 * time.Hour).UTC().Truncate(time.Minute),
		AffectedSystems: []string{"salesforce", "marketing_automation"},
		AttackVector:    "oauth_token_misuse",
		// The export held a custom SSN field (synthetic data only).
		DataElements: []string{"name", "ssn", "email", "phone", "postal_address", "date_of_birth"},
		Encrypted:    &no, Acquired: &yes,
	}})
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	tasks, err := svc.Tasks(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, t := range tasks[:3] {
		if err := svc.SetTaskStatus(ctx, actor, c.Reference, t.ID, t.Version, "done", ""); err != nil {
			return err
		}
	}
	if err := svc.SetTaskStatus(ctx, actor, c.Reference, tasks[3].ID, tasks[3].Version, "in_progress", ""); err != nil {
		return err
	}
	if err := svc.AddClock(ctx, actor, c.Reference, "Partner contract: notify the payment processor", c.DiscoveredAt, 48); err != nil {
		return err
	}
	if err := svc.AddNote(ctx, actor, c.Reference, "Connected app revoked at 09:40; integration user frozen. Forensics has the Event Monitoring export."); err != nil {
		return err
	}
	if err := demoResidents(ctx, pool, master, actor, c, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo case %s opened: %s\n", c.Reference, c.Title)
	return nil
}

// demoResidents imports a synthetic, messy export into the demo case and
// accepts its obligations, which span many states with different clocks.
func demoResidents(ctx context.Context, pool *pgxpool.Pool, master residents.MasterKey, actor cases.Actor, c cases.Case, stdout io.Writer) error {
	var buf bytes.Buffer
	if _, err := residents.GenerateCRM(&buf, residents.GenOptions{Rows: 2500, Messy: true, Seed: 2026}); err != nil {
		return err
	}
	people := residents.NewService(pool, residents.NewKeyring(pool, master), nil)
	_, res, err := people.ImportFile(ctx, actor, c.ID, "Contacts_export_2026-11-27.csv", int64(buf.Len()),
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil },
		residents.StartOptions{AcceptBadRows: true}, nil)
	if err != nil {
		return fmt.Errorf("demo residents: %w", err)
	}
	rules, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		return err
	}
	notices := notify.NewService(pool, rules)
	out, _, err := notices.Compute(ctx, c)
	if err != nil {
		return err
	}
	if _, err := notices.Accept(ctx, actor, c, notify.Fingerprint(out)); err != nil {
		return fmt.Errorf("demo obligations: %w", err)
	}
	fmt.Fprintf(stdout, "  %d synthetic residents imported (%d duplicates merged), %d obligations accepted\n", res.Imported-res.Duplicates, res.Duplicates, len(out.Obligations))
	return nil
}

const demoCaseTitle = "Marketing-sync OAuth token used to export Contacts"
