package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"breachdesk/internal/residents"
)

// keysCmd rotates the master key: every case's data key is rewrapped under
// the new master key in one transaction; resident rows are not touched.
// With the key in a file, the new key is written beside it first
// (master.key.new) and moved into place after the database commits; with
// the key in the environment, give the new one with --new-key and update
// the environment afterwards.
func keysCmd(ctx context.Context, cfg config, logger *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("usage: breachdesk keys rotate [--new-key BASE64]")
	}
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	newKey := fs.String("new-key", "", "the new master key, base64 (default: a fresh random key)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("keys rotate: %w", err)
	}
	if cfg.MasterKey != "" && *newKey == "" {
		return errors.New("keys rotate: the master key comes from BREACHDESK_MASTER_KEY; give the new one with --new-key and set it in the environment afterwards")
	}
	current, err := loadMasterKey(cfg, logger, io.Discard)
	if err != nil {
		return err
	}
	text := *newKey
	if text == "" {
		text = residents.NewMasterKeyText()
	}
	next, err := residents.ParseMasterKey(text)
	if err != nil {
		return fmt.Errorf("keys rotate: --new-key: %w", err)
	}
	path := masterKeyPath(cfg)
	fileBased := cfg.MasterKey == ""
	if fileBased {
		if err := os.WriteFile(path+".new", []byte(text+"\n"), 0o600); err != nil {
			return fmt.Errorf("keys rotate: write new key: %w", err)
		}
	}
	pool, closeDB, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	n, err := residents.NewKeyring(pool, current).Rotate(ctx, next)
	if err != nil {
		if fileBased {
			os.Remove(path + ".new")
		}
		return fmt.Errorf("keys rotate: nothing changed: %w", err)
	}
	if fileBased {
		if err := os.Rename(path, path+".old"); err != nil {
			return fmt.Errorf("keys rotate: %d case keys now use the key in %s.new, but moving it into place failed (%v): rename it to %s by hand", n, path, err, path)
		}
		if err := os.Rename(path+".new", path); err != nil {
			return fmt.Errorf("keys rotate: %d case keys now use the key in %s.new, but moving it into place failed (%v): rename it to %s by hand", n, path, err, path)
		}
		fmt.Fprintf(stdout, "Rewrapped %d case keys. The new master key is in %s (the old one is in %s.old: destroy it once backups no longer need it). Restart the server to use it.\n", n, path, path)
		return nil
	}
	fmt.Fprintf(stdout, "Rewrapped %d case keys under the new key (id %s). Set BREACHDESK_MASTER_KEY to it now.\n", n, next.ID)
	return nil
}
