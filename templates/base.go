// Package templates holds the templ components of every page and the view
// models they render. It may import domain packages for their types, never
// internal/web.
package templates

import (
	"slices"
	"time"

	"breachdesk/internal/auth"
)

// Base is what every page needs to know about the request.
type Base struct {
	Title string
	// User is the signed-in user, nil on public pages.
	User *auth.User
	// Flash is a one-time message from the previous request.
	Flash string
	// Nav names the active navigation item ("cases", "admin", "account").
	Nav       string
	RequestID string
	// Zone is the viewer's time zone; nil means UTC.
	Zone *time.Location
	// Refresh, when set, reloads the page after that many seconds for
	// browsers without JavaScript (a running import).
	Refresh int
}

// Loc returns the viewer's zone.
func (b Base) Loc() *time.Location {
	if b.Zone == nil {
		return time.UTC
	}
	return b.Zone
}

// When formats an instant in the viewer's zone, the zone named.
func (b Base) When(t time.Time) string { return t.In(b.Loc()).Format("Mon 2 Jan 2006, 15:04 MST") }

// WhenPtr is When for an optional time; "not known" when nil.
func (b Base) WhenPtr(t *time.Time) string {
	if t == nil {
		return "not known"
	}
	return b.When(*t)
}

// ZoneName is the viewer's zone as an IANA name.
func (b Base) ZoneName() string { return b.Loc().String() }

// CanAdmin reports whether the navigation shows the Admin link.
func (b Base) CanAdmin() bool { return b.User != nil && b.User.Can(auth.ActManageUsers) }

// Form carries a form's submitted values and per-field error messages, so a
// refused form re-renders with what the user typed.
type Form struct {
	Values map[string]string
	// Multi holds the values of fields that repeat (check boxes).
	Multi  map[string][]string
	Errors map[string]string
	// Message is an error about the form as a whole.
	Message string
}

// Get returns the submitted value of field name.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns the error message of field name, or "".
func (f Form) Err(name string) string { return f.Errors[name] }

// Has reports whether the repeated field name holds value.
func (f Form) Has(name, value string) bool { return slices.Contains(f.Multi[name], value) }

// CanExport reports whether the user may export case records and verify them.
func (b Base) CanExport() bool { return b.User != nil && b.User.Can(auth.ActExport) }
