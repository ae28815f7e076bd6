package web

import (
	"errors"
	"net/http"

	"breachdesk/internal/auth"
	"breachdesk/templates"
)

// commonZones are offered in the time-zone field; any IANA name is accepted.
var commonZones = []string{
	"UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "Pacific/Guam", "America/St_Thomas",
	"America/Toronto", "Europe/London", "Europe/Dublin", "Europe/Berlin", "Europe/Paris", "Asia/Tokyo",
	"Asia/Singapore", "Australia/Sydney",
}

func (s *Server) accountForm(w http.ResponseWriter, r *http.Request) error {
	f := templates.Form{Values: map[string]string{"time_zone": currentUser(r).TimeZone}}
	return render(w, r, http.StatusOK, templates.AccountPage(s.base(r, "Your account", "account"), templates.AccountView{Form: f, Zones: commonZones}))
}

func (s *Server) accountTimeZone(w http.ResponseWriter, r *http.Request) error {
	f, err := parseForm(w, r, "time_zone")
	if err != nil {
		return err
	}
	_, err = s.users.SetTimeZone(r.Context(), currentUser(r).ID, f.Get("time_zone"))
	var v *auth.ValidationError
	if errors.As(err, &v) {
		f.Errors = v.Fields
		return render(w, r, http.StatusUnprocessableEntity, templates.AccountPage(s.base(r, "Your account", "account"), templates.AccountView{Form: f, Zones: commonZones}))
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/account", "Times are now shown in "+f.Get("time_zone")+".")
}
