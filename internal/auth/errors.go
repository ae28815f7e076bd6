package auth

import (
	"errors"

	"breachdesk/internal/validation"
)

// Errors returned by this package. Callers compare with errors.Is.
var (
	// ErrNotFound: no user with that id or e-mail.
	ErrNotFound = errors.New("user not found")
	// ErrBadCredentials: wrong e-mail or password, or a disabled account.
	// The same error for each, so a login page cannot tell them apart.
	ErrBadCredentials = errors.New("wrong e-mail or password")
	// ErrLocked: too many failed logins for the account; wait and retry.
	ErrLocked = errors.New("account locked after repeated failed logins")
	// ErrRateLimited: too many failed logins from one client address.
	ErrRateLimited = errors.New("too many login attempts from this address")
	// ErrLastAdmin: the change would leave no active administrator.
	ErrLastAdmin = errors.New("the last active administrator cannot be demoted or disabled")
	// ErrStale: the record changed since the form was loaded.
	ErrStale = errors.New("the record was changed by someone else since you loaded it")
	// ErrSetupDone: the one-time setup link is used up or unknown.
	ErrSetupDone = errors.New("setup link is no longer valid")
	// ErrEmailTaken: another account already uses the e-mail.
	ErrEmailTaken = errors.New("an account with this e-mail already exists")
)

// ValidationError lists what is wrong with user input, field by field.
type ValidationError = validation.Error

func invalid(field, msg string) *ValidationError { return validation.Field(field, msg) }
