package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"breachdesk/internal/auth"
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
	return nil
}
