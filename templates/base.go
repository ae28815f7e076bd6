// Package templates holds the templ components of every page and the view
// models they render. It may import domain packages for their types, never
// internal/web.
package templates

import "breachdesk/internal/auth"

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
}

// CanAdmin reports whether the navigation shows the Admin link.
func (b Base) CanAdmin() bool { return b.User != nil && b.User.Can(auth.ActManageUsers) }

// Form carries a form's submitted values and per-field error messages, so a
// refused form re-renders with what the user typed.
type Form struct {
	Values map[string]string
	Errors map[string]string
	// Message is an error about the form as a whole.
	Message string
}

// Get returns the submitted value of field name.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns the error message of field name, or "".
func (f Form) Err(name string) string { return f.Errors[name] }
