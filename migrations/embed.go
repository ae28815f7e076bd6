// Package migrations holds the goose SQL migrations that define the whole
// schema, River's and scs's tables included. They are embedded in the binary
// and applied at start by internal/db.
package migrations

import "embed"

// FS holds every migration file, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
