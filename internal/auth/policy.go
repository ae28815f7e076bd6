// Package auth holds users, password hashing, login throttling, the
// first-start setup token and the one access policy (role → actions) every
// handler goes through. It knows nothing of HTTP.
package auth

import "fmt"

// Role is what a user may do in the app, as described in design.md.
type Role string

// The roles.
const (
	RoleAdmin    Role = "admin"
	RoleOfficer  Role = "officer"
	RoleReviewer Role = "reviewer"
	RoleAuditor  Role = "auditor"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleOfficer, RoleReviewer, RoleAuditor}

// ParseRole returns the Role named s, or a *ValidationError on the role field.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", invalid("role", fmt.Sprintf("Unknown role %q; choose admin, officer, reviewer or auditor.", s))
}

// Label is the role's name as shown to people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleOfficer:
		return "Compliance officer"
	case RoleReviewer:
		return "Legal reviewer"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// Action is one thing a signed-in user may be allowed to do.
type Action string

// The actions. Each route names exactly one.
const (
	ActViewCases   Action = "cases.view"
	ActEditCases   Action = "cases.edit"
	ActManageUsers Action = "users.manage"
	ActManageOrg   Action = "org.manage"     // organisation settings and playbooks
	ActOwnAccount  Action = "account.own"    // change one's own password, log out
	ActReview      Action = "notices.review" // comment on, request changes to and approve notice drafts
	ActTemplates   Action = "templates.edit" // edit letter templates
	ActExport      Action = "cases.export"   // export a case's record and verify exports
)

var policy = map[Role]map[Action]bool{
	RoleAdmin:    {ActViewCases: true, ActEditCases: true, ActManageUsers: true, ActManageOrg: true, ActOwnAccount: true, ActReview: true, ActTemplates: true, ActExport: true},
	RoleOfficer:  {ActViewCases: true, ActEditCases: true, ActOwnAccount: true, ActExport: true},
	RoleReviewer: {ActViewCases: true, ActOwnAccount: true, ActReview: true, ActTemplates: true},
	RoleAuditor:  {ActViewCases: true, ActOwnAccount: true, ActExport: true},
}

// Can reports whether role may perform a. Unknown roles and actions are
// refused.
func Can(role Role, a Action) bool { return policy[role][a] }
