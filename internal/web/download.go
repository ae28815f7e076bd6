package web

import (
	"mime"
	"net/http"
	"strconv"
)

// sendFile sets the headers of a download that must not be cached; size
// is -1 for a streamed file.
func sendFile(w http.ResponseWriter, name, contentType string, size int64) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	if size >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
}
