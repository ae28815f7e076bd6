package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/residents"
	"breachdesk/templates"
)

// loadCase returns the case named in the URL.
func (s *Server) loadCase(r *http.Request) (cases.Case, error) {
	return s.cases.Get(r.Context(), caseRef(r))
}

// caseAnd loads the case of the address and parses the id of the record
// of the case in the URL parameter param (an import, a draft).
func (s *Server) caseAnd(r *http.Request, param string) (cases.Case, int64, error) {
	c, err := s.loadCase(r)
	if err != nil {
		return c, 0, err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, param), 10, 64)
	if err != nil {
		return c, 0, errNotFound
	}
	return c, id, nil
}

func (s *Server) residentsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderResidents(w, r, http.StatusOK, templates.Form{})
}

func (s *Server) renderResidents(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	v := templates.ResidentsView{Case: c, CanEdit: currentUser(r).Can(auth.ActEditCases), Form: f}
	if v.Counts, err = s.people.Counts(r.Context(), c.ID); err != nil {
		return err
	}
	if v.Imports, err = s.people.Imports(r.Context(), c.ID); err != nil {
		return err
	}
	return render(w, r, status, templates.ResidentsPage(s.base(r, "Residents "+c.Reference, "cases"), v))
}

// importUpload streams the multipart file part straight into Postgres
// (never onto the server's disk) and opens the import's mapping page.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, residents.MaxUploadBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return s.renderResidents(w, r, http.StatusBadRequest, templates.Form{Message: "Choose a CSV file to upload."})
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return s.renderResidents(w, r, http.StatusUnprocessableEntity, templates.Form{Message: "Choose a CSV file to upload."})
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			return s.renderResidents(w, r, http.StatusUnprocessableEntity, templates.Form{Message: "Choose a CSV file to upload."})
		}
		imp, err := s.people.Upload(r.Context(), actor(r), c.ID, part.FileName(), part)
		switch {
		case err == nil:
			return s.redirect(w, r, "/cases/"+c.Reference+"/imports/"+strconv.FormatInt(imp.ID, 10), "")
		case errors.Is(err, cases.ErrClosed):
			return err
		case errors.Is(err, residents.ErrNotCSV), errors.Is(err, residents.ErrTooLarge), !isServerError(err):
			s.logger.WarnContext(r.Context(), "upload refused", "err", err)
			return s.renderResidents(w, r, http.StatusUnprocessableEntity, templates.Form{Message: uploadMessage(err)})
		}
		return err
	}
}

// isServerError tells a failure of ours (the database) from a broken upload.
func isServerError(err error) bool {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return false
	}
	return strings.Contains(err.Error(), "SQLSTATE") || strings.Contains(err.Error(), "connect")
}

func uploadMessage(err error) string {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, residents.ErrTooLarge) {
		return "The file is larger than the 2 GB limit. Nothing was imported."
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i > 0 && strings.HasPrefix(msg, "the upload was cut off") {
		msg = msg[:i]
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, http.StatusOK, templates.Form{Errors: map[string]string{}}, nil)
}

// renderImport shows an import; for one waiting for its mapping it reads a
// preview in the chosen encoding, with the mapping given, saved or detected.
func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, f templates.Form, mapping residents.Mapping) error {
	ctx := r.Context()
	c, id, err := s.caseAnd(r, "import")
	if err != nil {
		return err
	}
	imp, err := s.people.Import(ctx, c.ID, id)
	if err != nil {
		return err
	}
	v := templates.ImportView{Case: c, Import: imp, CanEdit: currentUser(r).Can(auth.ActEditCases), Now: timeNow(), Form: f,
		Fields: residents.Fields(), Encoding: firstOf(r.FormValue("encoding"), imp.Encoding, residents.EncodingAuto)}
	switch imp.Status {
	case "uploaded", "failed", "cancelled":
		if v.Preview, err = s.people.Preview(ctx, c.ID, id, v.Encoding, 20); err != nil {
			return err
		}
		if v.Mappings, err = s.people.Mappings(ctx); err != nil {
			return err
		}
		v.Mapping = mapping
		if v.Mapping == nil && r.URL.Query().Get("mapping") != "" {
			if v.Mapping, err = s.people.MappingByName(ctx, r.URL.Query().Get("mapping")); err != nil && !errors.Is(err, residents.ErrNotFound) {
				return err
			}
		}
		if v.Mapping == nil {
			v.Mapping = imp.Mapping
		}
		if v.Mapping == nil {
			v.Mapping = v.Preview.Detected
		}
		v.Order = strings.Join(imp.AddressOrder, ", ")
		if f.Get("address_order") != "" {
			v.Order = f.Get("address_order")
		}
	case "review", "completed":
		err := s.people.ErrorReport(ctx, c.ID, id, func(e residents.LineError) error {
			if len(v.Errors) < 20 {
				v.Errors = append(v.Errors, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	b := s.base(r, imp.FileName, "cases")
	if imp.Active() {
		b.Refresh = 3
	}
	return render(w, r, status, templates.ImportPage(b, v))
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// importStart reads the mapping form ("map.<field>" selects) and queues
// the import.
func (s *Server) importStart(w http.ResponseWriter, r *http.Request) error {
	c, id, err := s.caseAnd(r, "import")
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "encoding", "address_order", "save_as")
	if err != nil {
		return err
	}
	m := residents.Mapping{}
	for k, vals := range r.PostForm {
		if field, ok := strings.CutPrefix(k, "map."); ok && len(vals) > 0 && vals[0] != "" {
			m[field] = vals[0]
		}
	}
	var order []string
	for _, g := range strings.Split(f.Get("address_order"), ",") {
		if g = strings.TrimSpace(g); g != "" {
			order = append(order, g)
		}
	}
	err = s.people.Start(r.Context(), actor(r), c.ID, id, residents.StartOptions{
		Encoding: f.Get("encoding"), Mapping: m, AddressOrder: order, SaveMappingAs: f.Get("save_as")})
	if err == nil {
		return s.redirect(w, r, "/cases/"+c.Reference+"/imports/"+strconv.FormatInt(id, 10), "The import is queued; this page shows its progress.")
	}
	if fieldErrors(&f, err) {
		if msg := f.Err("file"); msg != "" {
			f.Message = msg
		}
		return s.renderImport(w, r, http.StatusUnprocessableEntity, f, m)
	}
	return s.importActionError(w, r, err)
}

// importActionError answers a refused import action with the import page
// and the reason.
func (s *Server) importActionError(w http.ResponseWriter, r *http.Request, err error) error {
	var msg string
	switch {
	case errors.Is(err, residents.ErrBusy):
		msg = residents.ErrBusy.Error()
	case errors.Is(err, residents.ErrState):
		msg = "The import has moved on since this page was loaded; it now shows its current state."
	case errors.Is(err, cases.ErrClosed):
		msg = "The case is closed and read-only. Reopen it to change its residents."
	default:
		return err
	}
	return s.renderImport(w, r, http.StatusConflict, templates.Form{Message: strings.ToUpper(msg[:1]) + msg[1:], Errors: map[string]string{}}, nil)
}

// importAction runs one lifecycle action on the import in the URL.
func (s *Server) importAction(do func(r *http.Request, caseID, importID int64) error, done string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, id, err := s.caseAnd(r, "import")
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return errBadRequest
		}
		if err := do(r, c.ID, id); err != nil {
			var v *cases.ValidationError
			if errors.As(err, &v) {
				return s.renderImport(w, r, http.StatusUnprocessableEntity, templates.Form{Message: v.Error(), Errors: v.Fields}, nil)
			}
			return s.importActionError(w, r, err)
		}
		return s.redirect(w, r, "/cases/"+c.Reference+"/imports/"+strconv.FormatInt(id, 10), done)
	}
}

func (s *Server) importCancel(w http.ResponseWriter, r *http.Request) error {
	return s.importAction(func(r *http.Request, c, i int64) error { return s.people.Cancel(r.Context(), actor(r), c, i) },
		"Cancel requested: the import stops and nothing of it is kept.")(w, r)
}

func (s *Server) importAccept(w http.ResponseWriter, r *http.Request) error {
	return s.importAction(func(r *http.Request, c, i int64) error { return s.people.Accept(r.Context(), actor(r), c, i) },
		"The import runs again, storing the usable rows.")(w, r)
}

func (s *Server) importDiscard(w http.ResponseWriter, r *http.Request) error {
	return s.importAction(func(r *http.Request, c, i int64) error { return s.people.Discard(r.Context(), actor(r), c, i) },
		"The import was discarded; nothing of it was stored.")(w, r)
}

func (s *Server) importRemove(w http.ResponseWriter, r *http.Request) error {
	return s.importAction(func(r *http.Request, c, i int64) error {
		return s.people.Remove(r.Context(), actor(r), c, i, r.PostFormValue("reason"))
	}, "The import was removed and the counts rebuilt.")(w, r)
}

// importProgress answers the progress bar's polling with JSON.
func (s *Server) importProgress(w http.ResponseWriter, r *http.Request) error {
	c, id, err := s.caseAnd(r, "import")
	if err != nil {
		return err
	}
	imp, err := s.people.Import(r.Context(), c.ID, id)
	if err != nil {
		return err
	}
	rate, eta := imp.Rate(timeNow())
	pct := 0
	if imp.SizeBytes > 0 {
		pct = int(100 * imp.BytesRead / imp.SizeBytes)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{
		"status": imp.Status, "percent": pct, "rows_read": imp.RowsRead, "rows_bad": imp.RowsBad,
		"rate": rate, "eta_seconds": int(eta.Seconds()), "active": imp.Active(),
	})
}

// importErrors downloads the error report as CSV.
func (s *Server) importErrors(w http.ResponseWriter, r *http.Request) error {
	c, id, err := s.caseAnd(r, "import")
	if err != nil {
		return err
	}
	if _, err := s.people.Import(r.Context(), c.ID, id); err != nil {
		return err
	}
	sendFile(w, "import-"+strconv.FormatInt(id, 10)+"-errors.csv", "text/csv; charset=utf-8", -1)
	cw := newCSVWriter(w)
	cw.Write([]string{"line", "column", "reason"})
	err = s.people.ErrorReport(r.Context(), c.ID, id, func(e residents.LineError) error {
		return cw.Write([]string{strconv.FormatInt(e.Line, 10), residents.SpreadsheetSafe(e.Column), residents.SpreadsheetSafe(e.Reason)})
	})
	cw.Flush()
	return err
}
