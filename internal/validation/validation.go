// Package validation holds the one error type domain packages return for
// bad user input: a message per field, written for the person who typed it.
// Web handlers re-render the form with these messages; the CLI prints them.
package validation

import (
	"maps"
	"slices"
	"strings"
)

// Error lists what is wrong with input, field by field.
type Error struct {
	Fields map[string]string
}

// Field returns an Error about one field.
func Field(name, msg string) *Error {
	return &Error{Fields: map[string]string{name: msg}}
}

// Error lists the fields in name order: "field: message; field: message".
func (e *Error) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, f+": "+e.Fields[f])
	}
	return strings.Join(parts, "; ")
}
