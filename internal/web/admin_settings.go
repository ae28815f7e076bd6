package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"breachdesk/internal/cases"
	"breachdesk/templates"
)

func settingsForm(st cases.Settings) templates.Form {
	return templates.Form{Values: map[string]string{
		"primary_clock_hours": strconv.Itoa(st.PrimaryClockHours),
		"environments":        strings.Join(st.Environments, "\n"),
	}, Errors: map[string]string{}}
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
	f, err := parseForm(w, r, "primary_clock_hours", "environments", "version")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Get("version"))
	hours, herr := strconv.Atoi(f.Get("primary_clock_hours"))
	if herr != nil {
		hours = -1
	}
	st := cases.Settings{PrimaryClockHours: hours, Environments: strings.Split(f.Get("environments"), "\n"), Version: version}
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
