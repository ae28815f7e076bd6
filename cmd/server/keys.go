package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"breachdesk/internal/residents"
)

// masterKeyPath is where the master key file is, when the key is not in
// the environment.
func masterKeyPath(cfg config) string {
	if cfg.MasterKeyFile != "" {
		return cfg.MasterKeyFile
	}
	return filepath.Join(cfg.DataDir, "master.key")
}

// loadMasterKey reads the master key from BREACHDESK_MASTER_KEY, or from
// its file; the default file in the data folder is created on first use
// (and the creation announced), so `make run` needs no secret invented.
func loadMasterKey(cfg config, logger *slog.Logger, stdout io.Writer) (residents.MasterKey, error) {
	if cfg.MasterKey != "" {
		k, err := residents.ParseMasterKey(cfg.MasterKey)
		if err != nil {
			return k, fmt.Errorf("BREACHDESK_MASTER_KEY: %w", err)
		}
		return k, nil
	}
	path := masterKeyPath(cfg)
	text, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && cfg.MasterKeyFile == "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return residents.MasterKey{}, fmt.Errorf("create data folder: %w", err)
		}
		text = []byte(residents.NewMasterKeyText() + "\n")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return residents.MasterKey{}, fmt.Errorf("create master key: %w", err)
		}
		_, err = f.Write(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return residents.MasterKey{}, fmt.Errorf("write master key: %w", err)
		}
		logger.Warn("created a new master key", "path", path)
		fmt.Fprintf(stdout, "Created the master key at %s. Back it up: without it the residents' personal data cannot be read.\n", path)
	} else if err != nil {
		return residents.MasterKey{}, fmt.Errorf("read master key: %w", err)
	}
	k, err := residents.ParseMasterKey(string(text))
	if err != nil {
		return k, fmt.Errorf("master key file %s: %w", path, err)
	}
	return k, nil
}
