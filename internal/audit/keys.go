package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"breachdesk/internal/residents"
)

// KnownKeys returns the public keys exports of this Breachdesk are signed
// with: the current master key's and every one recorded before a rotation.
func (x *Exporter) KnownKeys(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	if err := x.recordKey(ctx); err != nil {
		return nil, err
	}
	rows, err := x.pool.Query(ctx, `SELECT key_id, public_key FROM export_keys`)
	if err != nil {
		return nil, fmt.Errorf("load export keys: %w", err)
	}
	out := map[string]ed25519.PublicKey{}
	var id string
	var pub []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &pub}, func() error {
		out[id] = ed25519.PublicKey(append([]byte(nil), pub...))
		return nil
	})
	return out, err
}

// recordKey stores the public half of the signing key, once per Exporter.
func (x *Exporter) recordKey(ctx context.Context) error {
	if x.keyRecorded.Load() {
		return nil
	}
	if err := residents.RecordSigningKey(ctx, x.pool, x.master); err != nil {
		return err
	}
	x.keyRecorded.Store(true)
	return nil
}

// Recorded finds the timeline event that recorded the export of v's
// manifest; 0 when this Breachdesk has no such event.
func (x *Exporter) Recorded(ctx context.Context, v Verification) (int, error) {
	var seq int
	err := x.pool.QueryRow(ctx, `SELECT seq FROM case_events WHERE case_id = $1 AND kind = 'case.exported'
		AND payload->>'manifest_sha256' = $2 ORDER BY seq LIMIT 1`, v.Manifest.Case.ID, v.ManifestSHA256).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
