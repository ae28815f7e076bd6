package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
)

const caseUsage = `usage:
  breachdesk case open --as EMAIL --title T --discovered RFC3339 [--severity S] [--elements ssn,name,…] [--encrypted] [--key-compromised] [--playbook NAME] [fact flags]
  breachdesk case set REF --as EMAIL [--reason R] [--status S] [fact flags]
  breachdesk case show REF [--json]
  breachdesk case verify REF
  breachdesk case export REF --as EMAIL -o FILE.zip [--zone America/New_York]`

// caseCmd runs the case subcommands through the same domain code and
// timeline as the web pages; the actor is the user named by --as.
func caseCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(caseUsage)
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "open", "set", "show", "verify", "export":
	default:
		return fmt.Errorf("unknown case command %q\n%s", sub, caseUsage)
	}
	var ref string
	if sub != "open" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return fmt.Errorf("case %s: name the case reference first\n%s", sub, caseUsage)
		}
		ref, args = strings.ToUpper(args[0]), args[1:]
	}
	fs := flag.NewFlagSet("case "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var as, owner, reason, status, playbook string
	var asJSON bool
	var facts cases.Facts
	switch sub {
	case "open":
		facts.Severity = "high"
		fs.StringVar(&as, "as", "", "e-mail of the user acting")
		fs.StringVar(&playbook, "playbook", "", `playbook whose tasks the case gets ("none" for none)`)
		factFlags(fs, &facts, &owner)
	case "set":
		fs.StringVar(&as, "as", "", "e-mail of the user acting")
		fs.StringVar(&reason, "reason", "", "why (required when a time anchor changes or a case is reopened)")
		fs.StringVar(&status, "status", "", "new status: triage, investigating, contained, notifying, closed")
	case "show":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}
	// set needs the current facts before its flags apply on top of them,
	// so it parses after loading the case; export has flags of its own.
	if sub != "set" && sub != "export" {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("case %s: %w", sub, err)
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("case %s: unexpected argument %q", sub, fs.Arg(0))
		}
	}
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	svc := cases.NewService(pool)
	switch sub {
	case "open":
		actor, err := cliActor(ctx, pool, as, auth.ActEditCases)
		if err != nil {
			return err
		}
		if facts.OwnerID, err = ownerID(ctx, pool, owner, actor); err != nil {
			return err
		}
		c, err := svc.Open(ctx, actor, cases.NewCase{Facts: facts, Playbook: playbook})
		if err != nil {
			return fmt.Errorf("case open: %w", err)
		}
		fmt.Fprintln(stdout, c.Reference)
		return nil
	case "set":
		return caseSet(ctx, pool, svc, ref, fs, args, &as, &reason, &status, stdout)
	case "show":
		return caseShow(ctx, svc, ref, asJSON, stdout)
	case "export":
		return caseExport(ctx, cfg, logger, pool, ref, args, stdout, stderr)
	default:
		r, err := svc.Verify(ctx, ref)
		if err != nil {
			return fmt.Errorf("case verify: %w", err)
		}
		if !r.Intact() {
			return fmt.Errorf("%s: timeline broken at event %d: %s", ref, r.BrokenSeq, r.Reason)
		}
		fmt.Fprintf(stdout, "%s: intact: %d events, chain head %s\n", ref, r.Events, r.Head)
		return nil
	}
}

// caseSet loads the case, then parses the fact flags on top of its current
// facts (fs already binds --as, --reason and --status to the pointers).
func caseSet(ctx context.Context, pool *pgxpool.Pool, svc *cases.Service, ref string, fs *flag.FlagSet, args []string,
	as, reason, status *string, stdout io.Writer) error {
	c, err := svc.Get(ctx, ref)
	if err != nil {
		return fmt.Errorf("case set %s: %w", ref, err)
	}
	facts := c.Facts
	owner := ""
	factFlags(fs, &facts, &owner)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("case set: %w", err)
	}
	actor, err := cliActor(ctx, pool, *as, auth.ActEditCases)
	if err != nil {
		return err
	}
	if owner != "" {
		if facts.OwnerID, err = ownerID(ctx, pool, owner, actor); err != nil {
			return err
		}
	}
	// Reopen first, so facts can change on a case that was closed.
	newStatus := *status
	if newStatus != "" && c.Closed() {
		if c, err = svc.SetStatus(ctx, actor, ref, c.Version, newStatus, *reason); err != nil {
			return fmt.Errorf("case set: %w", err)
		}
		newStatus = ""
	}
	if c, err = svc.Update(ctx, actor, ref, c.Version, facts, *reason); err != nil {
		return fmt.Errorf("case set: %w", err)
	}
	if newStatus != "" {
		if c, err = svc.SetStatus(ctx, actor, ref, c.Version, newStatus, *reason); err != nil {
			return fmt.Errorf("case set: %w", err)
		}
	}
	fmt.Fprintf(stdout, "%s updated (version %d, status %s)\n", c.Reference, c.Version, c.Status)
	return nil
}

// caseJSON is what `case show --json` prints.
type caseJSON struct {
	Reference string         `json:"reference"`
	Status    string         `json:"status"`
	Owner     string         `json:"owner"`
	Version   int            `json:"version"`
	Facts     cases.Facts    `json:"facts"`
	Clocks    []clockJSON    `json:"clocks"`
	Tasks     []taskJSON     `json:"tasks"`
	Chain     map[string]any `json:"chain"`
}

type clockJSON struct {
	Label string    `json:"label"`
	Due   time.Time `json:"due"`
	Band  string    `json:"band"`
}

type taskJSON struct {
	ID     int64     `json:"id"`
	Phase  string    `json:"phase"`
	Title  string    `json:"title"`
	Due    time.Time `json:"due"`
	Status string    `json:"status"`
	Owner  string    `json:"owner"`
}

func caseShow(ctx context.Context, svc *cases.Service, ref string, asJSON bool, stdout io.Writer) error {
	c, err := svc.Get(ctx, ref)
	if err != nil {
		return fmt.Errorf("case show %s: %w", ref, err)
	}
	deadlines, err := svc.Deadlines(ctx, c)
	if err != nil {
		return err
	}
	tasks, err := svc.Tasks(ctx, c.ID)
	if err != nil {
		return err
	}
	chain, err := svc.Verify(ctx, ref)
	if err != nil {
		return err
	}
	now := time.Now()
	out := caseJSON{Reference: c.Reference, Status: c.Status, Owner: c.OwnerName, Version: c.Version, Facts: c.Facts,
		Clocks: []clockJSON{}, Tasks: []taskJSON{},
		Chain: map[string]any{"events": chain.Events, "head": chain.Head, "intact": chain.Intact()}}
	for _, d := range deadlines {
		out.Clocks = append(out.Clocks, clockJSON{Label: d.Label, Due: d.Due.UTC(), Band: string(d.BandAt(now))})
	}
	for _, t := range tasks {
		out.Tasks = append(out.Tasks, taskJSON{ID: t.ID, Phase: t.Phase, Title: t.Title, Due: t.DueAt.UTC(), Status: t.Status, Owner: t.OwnerName})
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%s  %s\nstatus %s · severity %s · owner %s\ndiscovered %s\n\nclocks:\n",
		c.Reference, c.Title, c.Status, c.Severity, c.OwnerName, c.DiscoveredAt.UTC().Format(time.RFC3339))
	for _, k := range out.Clocks {
		fmt.Fprintf(stdout, "  %-40s due %s UTC (%s)\n", k.Label, k.Due.Format("2006-01-02 15:04"), k.Band)
	}
	fmt.Fprintln(stdout, "\ntasks:")
	for _, t := range out.Tasks {
		fmt.Fprintf(stdout, "  [%-14s] %s (due %s UTC)\n", t.Status, t.Title, t.Due.Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(stdout, "\ntimeline: %d events, intact %v\n", chain.Events, chain.Intact())
	return nil
}

// cliActor resolves --as to an active user allowed to edit cases.
func cliActor(ctx context.Context, pool *pgxpool.Pool, email string, act auth.Action) (cases.Actor, error) {
	if email == "" {
		return cases.Actor{}, errors.New("--as EMAIL is required: the user the change is recorded for")
	}
	u, err := auth.NewStore(pool).ByEmail(ctx, email)
	if errors.Is(err, auth.ErrNotFound) {
		return cases.Actor{}, fmt.Errorf("--as %s: no such user", email)
	} else if err != nil {
		return cases.Actor{}, err
	}
	if !u.Can(act) {
		what := "change cases"
		if act == auth.ActExport {
			what = "export cases"
		}
		return cases.Actor{}, fmt.Errorf("--as %s: a %s may not %s", email, u.Role.Label(), what)
	}
	return cases.Actor{ID: u.ID, Email: u.Email}, nil
}

func ownerID(ctx context.Context, pool *pgxpool.Pool, email string, actor cases.Actor) (int64, error) {
	if email == "" {
		return actor.ID, nil
	}
	u, err := auth.NewStore(pool).ByEmail(ctx, email)
	if err != nil {
		return 0, fmt.Errorf("--owner %s: %w", email, err)
	}
	return u.ID, nil
}
