package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"breachdesk/internal/audit"
	"breachdesk/templates"
)

// caseExport streams the case record as a ZIP, times in the user's zone.
// The export is recorded on the timeline when the ZIP is complete.
func (s *Server) caseExport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	out := &streamedDownload{w: w, name: fmt.Sprintf("%s-case-record-%s.zip", c.Reference, time.Now().UTC().Format("20060102T150405Z")),
		ctype: "application/zip"}
	if _, err := s.exporter.Export(r.Context(), out, actor(r), c, currentUser(r).Location()); err != nil {
		// The headers are gone; the client sees a cut-short ZIP, which
		// verification refuses.
		return fmt.Errorf("export %s: %w", c.Reference, err)
	}
	return nil
}

// MaxVerifyBytes bounds an uploaded export.
const MaxVerifyBytes = 2 << 30

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, templates.VerifyPage(s.base(r, "Verify a case export", "verify"), templates.VerifyView{}))
}

// verifyUpload checks an uploaded export. The upload is spooled to a
// temporary file (a ZIP is read from its end) and removed at once; an
// export holds no resident's personal data.
func (s *Server) verifyUpload(w http.ResponseWriter, r *http.Request) error {
	page := func(status int, v templates.VerifyView) error {
		v.Checked = true
		return render(w, r, status, templates.VerifyPage(s.base(r, "Verify a case export", "verify"), v))
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxVerifyBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return page(http.StatusUnprocessableEntity, templates.VerifyView{Problem: "choose the ZIP file to verify"})
	}
	var name string
	var tmp *os.File
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return page(http.StatusRequestEntityTooLarge, templates.VerifyView{Problem: "the file is larger than 2 GB"})
		} else if err != nil {
			return errBadRequest
		}
		if part.FormName() != "file" || tmp != nil {
			continue
		}
		name = part.FileName()
		if tmp, err = os.CreateTemp("", "breachdesk-verify-*.zip"); err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if _, err := io.Copy(tmp, part); err != nil {
			if errors.As(err, &tooBig) {
				return page(http.StatusRequestEntityTooLarge, templates.VerifyView{FileName: name, Problem: "the file is larger than 2 GB"})
			}
			return errBadRequest
		}
	}
	if tmp == nil || name == "" {
		return page(http.StatusUnprocessableEntity, templates.VerifyView{Problem: "choose the ZIP file to verify"})
	}
	st, err := tmp.Stat()
	if err != nil {
		return err
	}
	known, err := s.exporter.KnownKeys(r.Context())
	if err != nil {
		return err
	}
	v := templates.VerifyView{FileName: name}
	v.Result, err = audit.Verify(tmp, st.Size(), known)
	var fe *audit.FormatError
	switch {
	case errors.As(err, &fe):
		v.Problem = fe.Problem
		return page(http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	case !v.Result.Intact():
		return page(http.StatusUnprocessableEntity, v)
	}
	if v.RecordedAs, err = s.exporter.Recorded(r.Context(), v.Result); err != nil {
		return err
	}
	return page(http.StatusOK, v)
}
