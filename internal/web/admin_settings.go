package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/templates"
)

func settingsForm(st cases.Settings) templates.Form {
	f := templates.Form{Values: map[string]string{
		"primary_clock_hours":  strconv.Itoa(st.PrimaryClockHours),
		"environments":         strings.Join(st.Environments, "\n"),
		"internal_target_days": strconv.Itoa(st.InternalTargetDays),
	}, Errors: map[string]string{}}
	for _, k := range notify.OrgKinds {
		switch b := st.Org[k.Key]; {
		case b == nil:
			f.Values["org."+k.Key] = ""
		case *b:
			f.Values["org."+k.Key] = "yes"
		default:
			f.Values["org."+k.Key] = "no"
		}
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
	fields := []string{"primary_clock_hours", "environments", "internal_target_days", "version"}
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
