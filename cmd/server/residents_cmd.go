package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
)

const residentsUsage = `usage:
  breachdesk residents import --as EMAIL --case REF [--mapping NAME] [--encoding auto|utf-8|utf-16|windows-1252]
                              [--address-order Mailing,Billing,…] [--accept-bad-rows] FILE
  breachdesk residents counts --case REF [--json]`

// residentsCmd imports CRM exports and prints counts through the same
// domain code, transaction and timeline as the web pages.
func residentsCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "counts") {
		return errors.New(residentsUsage)
	}
	fs := flag.NewFlagSet("residents "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	as := fs.String("as", "", "e-mail of the user acting")
	ref := fs.String("case", "", "case reference")
	mappingName := fs.String("mapping", "", "saved column mapping to use")
	enc := fs.String("encoding", residents.EncodingAuto, "file encoding")
	order := fs.String("address-order", "", "address blocks to try, in order")
	accept := fs.Bool("accept-bad-rows", false, "store the usable rows even when some rows are bad")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("residents %s: %w", args[0], err)
	}
	if *ref == "" {
		return fmt.Errorf("residents %s: --case REF is required", args[0])
	}
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	master, err := loadMasterKey(cfg, logger, stderr)
	if err != nil {
		return err
	}
	svc := residents.NewService(pool, residents.NewKeyring(pool, master), nil)
	svc.HomeCountry = cfg.HomeCountry
	c, err := cases.NewService(pool).Get(ctx, strings.ToUpper(*ref))
	if err != nil {
		return fmt.Errorf("case %s: %w", *ref, err)
	}
	if args[0] == "counts" {
		counts, err := svc.Counts(ctx, c.ID)
		if err != nil {
			return err
		}
		return printCounts(stdout, c.Reference, counts, *asJSON)
	}
	if fs.NArg() != 1 {
		return errors.New("residents import: name one FILE to import\n" + residentsUsage)
	}
	path := fs.Arg(0)
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("residents import: %w", err)
	}
	actor, err := cliActor(ctx, pool, *as, auth.ActEditCases)
	if err != nil {
		return err
	}
	o := residents.StartOptions{Encoding: *enc, AcceptBadRows: *accept}
	if *order != "" {
		o.AddressOrder = strings.Split(*order, ",")
	}
	if *mappingName != "" {
		if o.Mapping, err = svc.MappingByName(ctx, *mappingName); err != nil {
			return fmt.Errorf("mapping %q: %w", *mappingName, err)
		}
	}
	bar := newProgressBar(stderr, st.Size())
	imp, res, err := svc.ImportFile(ctx, actor, c.ID, filepath.Base(path), st.Size(),
		func() (io.ReadCloser, error) { return os.Open(path) }, o, bar.update)
	bar.done()
	if err != nil {
		var v *cases.ValidationError
		if errors.As(err, &v) {
			return fmt.Errorf("residents import: %s", v.Error())
		}
		if imp.Error != "" {
			return fmt.Errorf("residents import: %s", imp.Error)
		}
		return fmt.Errorf("residents import: %w", err)
	}
	if !res.Committed {
		fmt.Fprintf(stdout, "%s: %d rows read, %d cannot be used; nothing was imported.\n", path, res.RowsRead, res.Bad)
		for i, e := range res.Errors {
			if i == 20 {
				fmt.Fprintf(stdout, "  … and %d more (see the import's error report in the app)\n", len(res.Errors)-20)
				break
			}
			fmt.Fprintf(stdout, "  %s\n", e.Error())
		}
		return fmt.Errorf("import %d awaits review: run again with --accept-bad-rows to store the %d usable rows", imp.ID, res.RowsRead-res.Bad)
	}
	fmt.Fprintf(stdout, "%s: %d rows read, %d stored (%d duplicates merged), %d bad rows skipped, encoding %s.\n",
		path, res.RowsRead, res.Imported, res.Duplicates, res.Bad, res.Encoding)
	return nil
}

func printCounts(w io.Writer, ref string, c residents.Counts, asJSON bool) error {
	if asJSON {
		states := map[string]int64{}
		for _, s := range c.States {
			states[s.Code] = s.Count
		}
		countries := map[string]int64{}
		for _, k := range c.Countries {
			countries[k.Country] = k.Count
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"case": ref, "states": states, "countries": countries, "unknown": c.Unknown, "total": c.Total,
			"conflicts": c.Conflicts, "duplicates_merged": c.DuplicatesMerged,
		})
	}
	fmt.Fprintf(w, "%s: %d people (%d unknown, %d conflicts)\n", ref, c.Total, c.Unknown, c.Conflicts)
	for _, s := range c.States {
		fmt.Fprintf(w, "  %-3s %-28s %9d %6.2f%%\n", s.Code, s.Name, s.Count, 100*s.Share)
	}
	for _, k := range c.Countries {
		fmt.Fprintf(w, "  %-3s %-28s %9d\n", k.Country, "(country)", k.Count)
	}
	return nil
}

// progressBar draws an import's progress on a terminal line.
type progressBar struct {
	w     io.Writer
	size  int64
	start time.Time
}

func newProgressBar(w io.Writer, size int64) *progressBar {
	return &progressBar{w: w, size: size, start: time.Now()}
}

func (b *progressBar) update(p residents.Progress) {
	frac := 0.0
	if b.size > 0 {
		frac = min(1, float64(p.BytesRead)/float64(b.size))
	}
	const width = 30
	filled := int(frac * width)
	elapsed := time.Since(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.RowsRead) / elapsed
	}
	eta := "?"
	if frac > 0.01 {
		eta = time.Duration(elapsed * (1 - frac) / frac * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r[%s%s] %5.1f%%  %d rows  %.0f rows/s  %s left   ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), 100*frac, p.RowsRead, rate, eta)
}

func (b *progressBar) done() { fmt.Fprintln(b.w) }
