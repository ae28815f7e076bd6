package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Settings are the organisation's settings that shape cases.
type Settings struct {
	// PrimaryClockHours is the length of a new case's primary clock.
	PrimaryClockHours int
	// Environments are the stages an emergency patch moves through, in order.
	Environments []string
	// InternalTargetDays is the organisation's own target for notices the
	// law wants only "without unreasonable delay".
	InternalTargetDays int
	// Org answers which kinds of organisation this is (keys of
	// notify.OrgKinds); nil is not known.
	Org map[string]*bool
	// Profile is who the notices come from.
	Profile Profile
	// RetentionDays is how long residents' personal data is kept after a
	// case is closed; nil keeps it until an administrator purges it.
	RetentionDays *int
	// HomeCountry is what a blank country in a CRM export means (ISO
	// 3166 alpha-2); "" leaves it to the server's configuration.
	HomeCountry string
	Version     int
}

// Profile is the organisation as its notices present it.
type Profile struct {
	Name, Address, Email, Phone string
	// IDProtectionOffer is the identity-protection service offered to
	// affected people ("" for none), for IDProtectionMonths.
	IDProtectionOffer  string
	IDProtectionMonths int
}

var orgColumns = []string{"sec_registrant", "nydfs_covered", "hipaa_covered_entity", "ftc_financial_institution"}

// Settings returns the organisation's settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	st := Settings{Org: map[string]*bool{}}
	var flags [4]*bool
	p := &st.Profile
	err := s.pool.QueryRow(ctx, `SELECT primary_clock_hours, environments, internal_target_days, sec_registrant, nydfs_covered,
		hipaa_covered_entity, ftc_financial_institution, org_name, org_address, contact_email, contact_phone,
		id_protection_offer, id_protection_months, retention_days, coalesce(home_country, ''), version FROM org_settings`).
		Scan(&st.PrimaryClockHours, &st.Environments, &st.InternalTargetDays, &flags[0], &flags[1], &flags[2], &flags[3],
			&p.Name, &p.Address, &p.Email, &p.Phone, &p.IDProtectionOffer, &p.IDProtectionMonths, &st.RetentionDays, &st.HomeCountry, &st.Version)
	if err != nil {
		return st, fmt.Errorf("load settings: %w", err)
	}
	for i, c := range orgColumns {
		st.Org[c] = flags[i]
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
	if st.InternalTargetDays == 0 {
		st.InternalTargetDays = 30
	}
	if st.InternalTargetDays < 1 || st.InternalTargetDays > 365 {
		v["internal_target_days"] = "Enter a target between 1 and 365 days."
	}
	p := &st.Profile
	p.Name, p.Address, p.Email, p.Phone = strings.TrimSpace(p.Name), strings.TrimSpace(p.Address), strings.TrimSpace(p.Email), strings.TrimSpace(p.Phone)
	p.IDProtectionOffer = strings.TrimSpace(p.IDProtectionOffer)
	if p.Name == "" {
		v["org_name"] = "Enter the organisation's name as notices should show it."
	}
	if p.Email != "" && !strings.Contains(p.Email, "@") {
		v["contact_email"] = "Enter an e-mail address such as privacy@example.com."
	}
	if p.IDProtectionMonths < 0 || p.IDProtectionMonths > 120 {
		v["id_protection_months"] = "Enter 0 to 120 months."
	}
	if st.RetentionDays != nil && (*st.RetentionDays < 1 || *st.RetentionDays > 36500) {
		v["retention_days"] = "Enter 1 to 36,500 days, or leave it empty to keep the data until an administrator purges it."
	}
	st.HomeCountry = strings.ToUpper(strings.TrimSpace(st.HomeCountry))
	if st.HomeCountry != "" && (len(st.HomeCountry) != 2 || strings.Trim(st.HomeCountry, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		v["home_country"] = "Enter the country as its two-letter ISO code (US, CA, GB, DE), or leave it empty."
	}
	if len(v) > 0 {
		return st, &ValidationError{Fields: v}
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE org_settings SET primary_clock_hours = $1, environments = $2, internal_target_days = $3, sec_registrant = $4,
			nydfs_covered = $5, hipaa_covered_entity = $6, ftc_financial_institution = $7, org_name = $9, org_address = $10,
			contact_email = $11, contact_phone = $12, id_protection_offer = $13, id_protection_months = $14, retention_days = $15,
			home_country = nullif($16, ''), version = version + 1, updated_at = now()
		WHERE version = $8`,
		st.PrimaryClockHours, envs, st.InternalTargetDays, st.Org["sec_registrant"], st.Org["nydfs_covered"],
		st.Org["hipaa_covered_entity"], st.Org["ftc_financial_institution"], st.Version,
		p.Name, p.Address, p.Email, p.Phone, p.IDProtectionOffer, p.IDProtectionMonths, st.RetentionDays, st.HomeCountry)
	if err != nil {
		return st, err
	}
	if tag.RowsAffected() == 0 {
		return st, ErrStale
	}
	return s.Settings(ctx)
}
