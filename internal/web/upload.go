package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// errUploadTooLarge: the request body is over the form's limit.
var errUploadTooLarge = errors.New("upload too large")

// attachment is a file sent with a form.
type attachment struct {
	Name string
	Data []byte
}

// parseAttachmentForm parses a multipart form of fields and at most one
// file of limit bytes in the field "file", which may be absent (nil).
// A body over the limit is errUploadTooLarge, for the caller to explain; a
// body that is not multipart is http.ErrNotMultipart; anything else
// malformed is errBadRequest.
func parseAttachmentForm(w http.ResponseWriter, r *http.Request, limit int64) (*attachment, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return nil, errUploadTooLarge
		case errors.Is(err, http.ErrNotMultipart):
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	// The file is read into memory below; the fields stay in r.PostForm.
	defer r.MultipartForm.RemoveAll()
	file, header, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read upload: %v", errBadRequest, err)
	}
	return &attachment{Name: header.Filename, Data: data}, nil
}
