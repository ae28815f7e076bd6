package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
	"breachdesk/templates"
)

func settingsForm(st cases.Settings) templates.Form {
	f := templates.Form{Values: map[string]string{
		"primary_clock_hours":  strconv.Itoa(st.PrimaryClockHours),
		"environments":         strings.Join(st.Environments, "\n"),
		"internal_target_days": strconv.Itoa(st.InternalTargetDays),
		"org_name":             st.Profile.Name, "org_address": st.Profile.Address, "contact_email": st.Profile.Email,
		"contact_phone": st.Profile.Phone, "id_protection_offer": st.Profile.IDProtectionOffer,
		"id_protection_months": strconv.Itoa(st.Profile.IDProtectionMonths),
	}, Errors: map[string]string{}}
	f.Values["home_country"] = st.HomeCountry
	if st.RetentionDays != nil {
		f.Values["retention_days"] = strconv.Itoa(*st.RetentionDays)
	}
	for _, k := range notify.OrgKinds {
		f.Values["org."+k.Key] = cases.YesNo(st.Org[k.Key])
	}
	return f
}

func (s *Server) adminSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cases.Settings(r.Context())
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.AdminSettings(s.base(r, "Organisation settings", "admin"),
		templates.SettingsView{Form: settingsForm(st), Version: st.Version}))
}

func (s *Server) adminSettingsSave(w http.ResponseWriter, r *http.Request) error {
	fields := []string{"primary_clock_hours", "environments", "internal_target_days", "version", "org_name", "org_address",
		"contact_email", "contact_phone", "id_protection_offer", "id_protection_months", "retention_days", "home_country"}
	for _, k := range notify.OrgKinds {
		fields = append(fields, "org."+k.Key)
	}
	f, err := parseForm(w, r, fields...)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Get("version"))
	hours, herr := strconv.Atoi(f.Get("primary_clock_hours"))
	if herr != nil {
		hours = -1
	}
	target, terr := strconv.Atoi(f.Get("internal_target_days"))
	if terr != nil && f.Get("internal_target_days") != "" {
		target = -1 // not a number: refused with a message
	}
	st := cases.Settings{PrimaryClockHours: hours, Environments: strings.Split(f.Get("environments"), "\n"), Version: version,
		InternalTargetDays: target, Org: map[string]*bool{}}
	st.Profile = cases.Profile{Name: f.Get("org_name"), Address: f.Get("org_address"), Email: f.Get("contact_email"),
		Phone: f.Get("contact_phone"), IDProtectionOffer: f.Get("id_protection_offer"), IDProtectionMonths: 24}
	if m, err := strconv.Atoi(f.Get("id_protection_months")); err == nil {
		st.Profile.IDProtectionMonths = m
	} else if f.Get("id_protection_months") != "" {
		st.Profile.IDProtectionMonths = -1
	}
	// "USA", "United States" and "us" all mean US.
	st.HomeCountry = f.Get("home_country")
	if c := residents.NormalizeCountry(st.HomeCountry); c != "" {
		st.HomeCountry = c
	}
	if days := f.Get("retention_days"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			n = -1 // not a number: refused with a message
		}
		st.RetentionDays = &n
	}
	if f.Get("org_name") == "" && len(r.PostForm["org_name"]) == 0 {
		// An older form without the profile keeps the stored one.
		if cur, err := s.cases.Settings(r.Context()); err == nil {
			st.Profile = cur.Profile
		}
	}
	for _, k := range notify.OrgKinds {
		switch f.Get("org." + k.Key) {
		case "yes":
			st.Org[k.Key] = ptrTo(true)
		case "no":
			st.Org[k.Key] = ptrTo(false)
		}
	}
	_, err = s.cases.SaveSettings(r.Context(), st)
	switch {
	case err == nil:
		return s.redirect(w, r, "/admin/settings", "Settings saved.")
	case errors.Is(err, cases.ErrStale):
		cur, err := s.cases.Settings(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusConflict, templates.AdminSettings(s.base(r, "Organisation settings", "admin"),
			templates.SettingsView{Form: settingsForm(cur), Version: cur.Version, Stale: true}))
	case !fieldErrors(&f, err):
		return err
	}
	return render(w, r, http.StatusUnprocessableEntity, templates.AdminSettings(s.base(r, "Organisation settings", "admin"),
		templates.SettingsView{Form: f, Version: version}))
}

func ptrTo[T any](v T) *T { return &v }
