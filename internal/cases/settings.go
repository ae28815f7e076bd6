package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Settings are the organisation's settings that shape cases.
type Settings struct {
	// PrimaryClockHours is the length of a new case's primary clock.
	PrimaryClockHours int
	// Environments are the stages an emergency patch moves through, in order.
	Environments []string
	Version      int
}

// Settings returns the organisation's settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.pool.QueryRow(ctx, `SELECT primary_clock_hours, environments, version FROM org_settings`).
		Scan(&st.PrimaryClockHours, &st.Environments, &st.Version)
	if err != nil {
		return st, fmt.Errorf("load settings: %w", err)
	}
	return st, nil
}

// SaveSettings stores st if the settings are still at st.Version. A changed
// clock length applies to cases opened afterwards; open cases keep theirs.
// Errors: ErrStale or a *ValidationError.
func (s *Service) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	v := map[string]string{}
	if st.PrimaryClockHours < 1 || st.PrimaryClockHours > 8760 {
		v["primary_clock_hours"] = "Enter a clock length between 1 and 8,760 hours."
	}
	var envs []string
	for _, e := range st.Environments {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(envs, e) {
			envs = append(envs, e)
		}
	}
	if len(envs) == 0 || len(envs) > 8 {
		v["environments"] = "List 1 to 8 environments, in the order a patch moves through them."
	}
	for _, e := range envs {
		if len(e) > 40 {
			v["environments"] = fmt.Sprintf("Environment name %q is longer than 40 characters.", e)
		}
	}
	if len(v) > 0 {
		return st, &ValidationError{Fields: v}
	}
	var out Settings
	err := s.pool.QueryRow(ctx, `
		UPDATE org_settings SET primary_clock_hours = $1, environments = $2, version = version + 1, updated_at = now()
		WHERE version = $3 RETURNING primary_clock_hours, environments, version`,
		st.PrimaryClockHours, envs, st.Version).Scan(&out.PrimaryClockHours, &out.Environments, &out.Version)
	if err == pgx.ErrNoRows {
		return st, ErrStale
	}
	return out, err
}
