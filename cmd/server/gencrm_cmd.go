package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"breachdesk/internal/residents"
)

// genCRMCmd writes a synthetic Salesforce Contact export with known truth:
// breachdesk gen-crm --rows N [--messy] [--seed S] [-o FILE] [--truth FILE].
func genCRMCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen-crm", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rows := fs.Int("rows", 1000, "number of rows")
	messy := fs.Bool("messy", false, "mix the messes real CRM exports have")
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same file)")
	out := fs.String("o", "", "output file (default: standard output)")
	truthFile := fs.String("truth", "", "write the expected counts as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("gen-crm: %w", err)
	}
	if *rows < 1 || *rows > 50_000_000 {
		return errors.New("gen-crm: --rows must be from 1 to 50,000,000")
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("gen-crm: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	truth, err := residents.GenerateCRM(bw, residents.GenOptions{Rows: *rows, Messy: *messy, Seed: *seed})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("gen-crm: %w", err)
	}
	if *truthFile != "" {
		b, _ := json.MarshalIndent(truth, "", "  ")
		if err := os.WriteFile(*truthFile, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("gen-crm: %w", err)
		}
	}
	return nil
}
