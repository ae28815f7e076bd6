package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/audit"
	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
)

// exitError carries the exit status a command wants: verify exits 1 for
// an export that is not intact and 2 for a file it cannot read as one.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// newExporter builds the exporter on the command's database and master key.
func newExporter(pool *pgxpool.Pool, cfg config, logger *slog.Logger, stderr io.Writer) (*audit.Exporter, error) {
	master, err := loadMasterKey(cfg, logger, stderr)
	if err != nil {
		return nil, err
	}
	rules, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		return nil, err
	}
	return audit.NewExporter(pool, notify.NewService(pool, rules), master), nil
}

// caseExport writes the case record to -o FILE.zip: to a temporary file
// beside it, renamed when complete, so a failed export leaves no file.
func caseExport(ctx context.Context, cfg config, logger *slog.Logger, pool *pgxpool.Pool, ref string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("case export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	as := fs.String("as", "", "e-mail of the user exporting (admin, officer or auditor)")
	out := fs.String("o", "", "the ZIP file to write")
	zone := fs.String("zone", "UTC", "time zone for local times (IANA name)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("case export: %w", err)
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("case export: name the file to write with -o FILE.zip\n" + caseUsage)
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return fmt.Errorf("case export: --zone %q is not a time zone (use an IANA name such as America/New_York)", *zone)
	}
	actor, err := cliActor(ctx, pool, *as, auth.ActExport)
	if err != nil {
		return err
	}
	c, err := cases.NewService(pool).Get(ctx, ref)
	if err != nil {
		return fmt.Errorf("case export %s: %w", ref, err)
	}
	x, err := newExporter(pool, cfg, logger, stderr)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*.zip")
	if err != nil {
		return fmt.Errorf("case export: %w", err)
	}
	defer os.Remove(tmp.Name())
	m, err := x.Export(ctx, tmp, actor, c, loc)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("case export %s: %w", ref, err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("case export: %w", err)
	}
	fmt.Fprintf(stdout, "%s: exported %s (chain head %s), %s and the signed manifest, to %s\n", ref, plural(m.Timeline.Events, "event"),
		m.Timeline.ChainHead, plural(len(m.Files), "file"), *out)
	return nil
}

const verifyUsage = "usage: breachdesk verify CASE-EXPORT.zip"

// verifyCmd checks an export and prints one line: intact, or the first
// broken event or file.
func verifyCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return &exitError{2, errors.New(verifyUsage)}
	}
	f, err := os.Open(args[0])
	if err != nil {
		return &exitError{2, fmt.Errorf("verify: %w", err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return &exitError{2, fmt.Errorf("verify: %w", err)}
	}
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	x, err := newExporter(pool, cfg, logger, stderr)
	if err != nil {
		return err
	}
	known, err := x.KnownKeys(ctx)
	if err != nil {
		return err
	}
	v, err := audit.Verify(f, st.Size(), known)
	var fe *audit.FormatError
	if errors.As(err, &fe) {
		return &exitError{2, fmt.Errorf("%s: %s", args[0], fe.Problem)}
	} else if err != nil {
		return err
	}
	if !v.Intact() {
		return &exitError{1, fmt.Errorf("%s: %s", args[0], v)}
	}
	fmt.Fprintf(stdout, "%s: %s\n", args[0], v)
	if seq, err := x.Recorded(ctx, v); err == nil && seq > 0 {
		fmt.Fprintf(stdout, "recorded on the timeline of %s as event %d\n", v.Manifest.Case.Reference, seq)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
