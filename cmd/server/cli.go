package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"breachdesk/internal/auth"
	"breachdesk/internal/db"
)

func migrateCmd(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	_, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	closeDB()
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}

func userCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: breachdesk user add --email E --role admin|officer|reviewer|auditor [--name N]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address (required)")
	role := fs.String("role", "", "admin, officer, reviewer or auditor (required)")
	name := fs.String("name", "", "display name (defaults to the e-mail)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if *email == "" || *role == "" {
		return errors.New("user add: --email and --role are required")
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if *name == "" {
		*name = *email
	}
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	pw := auth.GeneratePassword()
	u, err := auth.NewStore(pool).Create(ctx, auth.NewUser{Email: *email, DisplayName: *name, Role: r, Password: pw, MustChangePassword: true})
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(stdout, "added %s (%s)\npassword (shown once; to be changed at first sign-in): %s\n", u.Email, u.Role, pw)
	return nil
}

// dbCmd starts or stops the private cluster on its own, for scripts such as
// `make test` that need a server for a while.
func dbCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) != 1 || (args[0] != "start" && args[0] != "stop") {
		return errors.New("usage: breachdesk db start|stop")
	}
	if cfg.DatabaseURL != "" {
		return errors.New("db: DATABASE_URL is set; the private cluster is only used without it")
	}
	cluster, err := db.StartCluster(ctx, db.ClusterOptions{DataDir: cfg.DataDir, Account: cfg.PGAccount, Logger: logger})
	if err != nil {
		return err
	}
	if args[0] == "stop" {
		return cluster.StopRunning()
	}
	fmt.Fprintln(stdout, cluster.URL())
	return nil
}
