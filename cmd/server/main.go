// Command breachdesk is the Breachdesk server and its operator CLI.
//
//	breachdesk [serve]                          serve the app
//	breachdesk migrate                          apply database migrations
//	breachdesk user add --email E --role R      add an account, print its password once
//	breachdesk demo                             load a synthetic sample
//	breachdesk db start|stop                    start or stop the private PostgreSQL cluster
//	breachdesk verify CASE-EXPORT.zip           check an exported case record
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"golang.org/x/term"

	"breachdesk/internal/residents"
	"breachdesk/internal/web"
)

func main() {
	residents.ReserveFeederProcs()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "breachdesk:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// run is the whole program: it reads the configuration from getenv, runs
// the subcommand named in args, and returns when it is done or ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	cmd, rest := "serve", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, logger, stdout)
	case "migrate":
		return migrateCmd(ctx, cfg, logger, stdout)
	case "user":
		return userCmd(ctx, cfg, logger, rest, stdout)
	case "demo":
		return demoCmd(ctx, cfg, logger, stdout)
	case "case":
		return caseCmd(ctx, cfg, logger, rest, stdout, stderr)
	case "residents":
		return residentsCmd(ctx, cfg, logger, rest, stdout, stderr)
	case "gen-crm":
		return genCRMCmd(rest, stdout)
	case "rules":
		return rulesCmd(rest, stdout)
	case "obligations":
		return obligationsCmd(ctx, cfg, logger, rest, stdout)
	case "verify":
		return verifyCmd(ctx, cfg, logger, rest, stdout, stderr)
	case "keys":
		return keysCmd(ctx, cfg, logger, rest, stdout)
	case "db":
		return dbCmd(ctx, cfg, logger, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: breachdesk [command]

commands:
  serve                                   serve the app (the default)
  migrate                                 apply database migrations and exit
  user add --email E --role R [--name N]  add an account; prints its password once
  case open|set|show|verify|export …      breach cases from the shell (breachdesk case for details)
  verify CASE-EXPORT.zip                  check an exported case record (exit 1: tampered, 2: not an export)
  residents import|counts …               affected residents from CRM exports (breachdesk residents for details)
  gen-crm --rows N [--messy] [-o FILE]    write a synthetic Salesforce export with known truth
  keys rotate [--new-key BASE64]          rewrap every case's data key under a new master key
  rules check                             validate the breach-law rules and list their review dates
  obligations --case REF [--json]         a case's notification obligations (decision support)
  demo                                    load a synthetic sample (users, a case)
  db start | db stop                      start or stop the private PostgreSQL cluster

Configuration comes from environment variables; see README.md.
`

func newLogger(cfg config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(web.LogHandler(h))
}
