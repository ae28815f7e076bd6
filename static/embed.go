// Package static holds the stylesheet, the small script and icons, embedded
// into the binary and served under /static/.
package static

import "embed"

// FS holds the static files.
//
//go:embed *.css *.js
var FS embed.FS
