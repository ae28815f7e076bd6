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

	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
)

// rulesCmd validates the rules data: breachdesk rules check.
func rulesCmd(args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "check" {
		return errors.New("usage: breachdesk rules check")
	}
	r, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		return err
	}
	for _, code := range r.Codes() {
		j, _ := r.Get(code)
		fmt.Fprintf(stdout, "%-4s %-26s reviewed %s  %d version(s)  %s\n", code, j.Name, j.LastReviewed, len(j.Versions), j.Citations[0])
	}
	fmt.Fprintf(stdout, "%d jurisdictions, all valid; oldest review %s\n", len(r.Codes()), r.OldestReview())
	return nil
}

// obligationsCmd prints a case's obligations: breachdesk obligations --case REF [--json].
func obligationsCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("obligations", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ref := fs.String("case", "", "case reference")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("obligations: %w", err)
	}
	if *ref == "" {
		return errors.New("obligations: --case REF is required")
	}
	rules, err := notify.LoadRules(notify.RuleFiles)
	if err != nil {
		return err
	}
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	c, err := cases.NewService(pool).Get(ctx, strings.ToUpper(*ref))
	if err != nil {
		return fmt.Errorf("case %s: %w", *ref, err)
	}
	out, _, err := notify.NewService(pool, rules).Compute(ctx, c)
	if err != nil {
		return fmt.Errorf("obligations: %w", err)
	}
	if *asJSON {
		type jsonOb struct {
			Jurisdiction string   `json:"jurisdiction"`
			Recipient    string   `json:"recipient"`
			To           string   `json:"to,omitempty"`
			Triggered    bool     `json:"triggered"`
			Status       string   `json:"status"`
			Residents    int64    `json:"residents"`
			Deadline     string   `json:"deadline"`
			Projected    bool     `json:"projected,omitempty"`
			Target       string   `json:"internal_target,omitempty"`
			Zone         string   `json:"zone"`
			Reasons      []string `json:"reasons"`
			Citation     string   `json:"citation"`
			Needs        []string `json:"needs"`
		}
		list := []jsonOb{}
		for _, o := range out.Obligations {
			j := jsonOb{Jurisdiction: o.Jurisdiction, Recipient: o.Recipient, To: o.To, Triggered: o.Triggered(), Status: o.Status,
				Residents: o.Residents, Deadline: o.DueText, Projected: o.Projected, Zone: o.Zone, Reasons: o.Reasons,
				Citation: o.Citation, Needs: append([]string{}, o.Needs...)}
			if o.Due != nil {
				j.Deadline = o.Due.Format(time.RFC3339)
			}
			if o.InternalTarget != nil {
				j.Target = o.InternalTarget.Format(time.RFC3339)
			}
			list = append(list, j)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"case": c.Reference, "obligations": list, "unruled": out.Unruled,
			"rules_reviewed": out.RulesReviewed, "disclaimer": "Decision support for counsel, not legal advice."})
	}
	fmt.Fprintf(stdout, "%s: obligations (decision support for counsel, not legal advice; rules reviewed %s)\n", c.Reference, out.RulesReviewed)
	for _, o := range out.Obligations {
		if !o.Triggered() && o.Status != notify.NeedsFacts {
			continue
		}
		due := o.DueText
		if o.Due != nil {
			due = o.Due.Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(stdout, "  %-3s %-11s %-40.40s %s  [%s]\n", o.Jurisdiction, o.Recipient, o.To, due, o.Citation)
		for _, n := range o.Needs {
			fmt.Fprintf(stdout, "      needs: %s\n", n)
		}
	}
	for _, u := range out.Unruled {
		fmt.Fprintf(stdout, "  %-3s %d residents: %s\n", u.Jurisdiction, u.Residents, u.Reason)
	}
	return nil
}
