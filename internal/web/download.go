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

// streamedDownload sets a download's headers on its first write, so an
// error before any byte is sent still gets a proper error page instead of
// a file named like the download.
type streamedDownload struct {
	w           http.ResponseWriter
	name, ctype string
	started     bool
}

func (d *streamedDownload) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		sendFile(d.w, d.name, d.ctype, -1)
	}
	return d.w.Write(p)
}
