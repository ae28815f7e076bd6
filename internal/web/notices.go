package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/yuin/goldmark"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/letter"
	"breachdesk/internal/notify"
	"breachdesk/internal/residents"
	"breachdesk/templates"
)

// markdown renders drafts; raw HTML in a draft is not rendered (goldmark's
// default), so a draft cannot inject markup into the page.
var markdown = goldmark.New()

func renderMarkdown(body string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		return "", fmt.Errorf("render draft: %w", err)
	}
	return buf.String(), nil
}

func (s *Server) noticesCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCase(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	n, err := s.notices.CreateDrafts(r.Context(), actor(r), c, r.PostFormValue("key"))
	var te *notify.TemplateError
	switch {
	case errors.Is(err, notify.ErrNotFound):
		return s.renderCase(w, r, http.StatusConflict, "That obligation is not a required one of the accepted set; accept the current obligations first.", templates.Form{})
	case errors.Is(err, notify.ErrNoAcceptedSet):
		return s.renderCase(w, r, http.StatusConflict, notify.ErrNoAcceptedSet.Error(), templates.Form{})
	case errors.As(err, &te):
		return s.renderCase(w, r, http.StatusUnprocessableEntity, "No draft was made: "+te.Error()+". Fill it in Organisation settings or the case, then try again.", templates.Form{})
	case err != nil:
		return s.actionResult(w, r, err, templates.Form{}, "", "")
	}
	msg := fmt.Sprintf("%d drafts made.", n)
	switch n {
	case 0:
		msg = "Every required notice has a draft already; nothing was made."
	case 1:
		msg = "1 draft made."
	}
	return s.redirect(w, r, "/cases/"+c.Reference+"#notices", msg)
}

func (s *Server) draftPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDraft(w, r, http.StatusOK, templates.Form{Errors: map[string]string{}})
}

func (s *Server) renderDraft(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	ctx := r.Context()
	c, id, err := s.caseAnd(r, "draft")
	if err != nil {
		return err
	}
	d, err := s.notices.Draft(ctx, c.ID, id)
	if err != nil {
		return err
	}
	u := currentUser(r)
	v := templates.DraftView{Case: c, Draft: d, CanEdit: u.Can(auth.ActEditCases), CanReview: u.Can(auth.ActReview), Form: f}
	cur := d.CurrentVersion()
	if v.HTML, err = renderMarkdown(cur.Body); err != nil {
		return err
	}
	residents, err := s.notices.Residents(ctx, c.ID, d.ObligationKey)
	if err != nil {
		return err
	}
	v.Checks = s.notices.Check(c, d, cur.Body, residents)
	if aud, err := s.notices.Audience(d); err == nil && d.Status == "approved" && u.Can(auth.ActEditCases) {
		if v.Letters, err = s.people.CountAudience(ctx, c.ID, aud); err != nil {
			return err
		}
		v.MailMerge = true
		v.Batches = int((v.Letters + notify.MailMergeBatch - 1) / notify.MailMergeBatch)
	}
	// ?diff=A compares version A with the current one; &to=B with B.
	if from, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil {
		to, err := strconv.Atoi(r.URL.Query().Get("to"))
		if err != nil {
			to = d.Current
		}
		var a, b *notify.DraftVersion
		for i, ver := range d.Versions {
			switch ver.Number {
			case from:
				a = &d.Versions[i]
			case to:
				b = &d.Versions[i]
			}
		}
		if a != nil && b != nil {
			v.Diff, v.DiffFrom, v.DiffTo = notify.WordDiff(a.Body, b.Body), from, to
		}
	}
	return render(w, r, status, templates.DraftPage(s.base(r, d.Title, "cases"), v))
}

// draftAction answers a draft form: back to the draft with a flash, or the
// draft page with the reason it was refused.
func (s *Server) draftAction(w http.ResponseWriter, r *http.Request, err error, f templates.Form, done string) error {
	var v *cases.ValidationError
	switch {
	case err == nil:
		return s.redirect(w, r, "/cases/"+caseRef(r)+"/notices/"+chi.URLParam(r, "draft"), done)
	case errors.As(err, &v):
		f.Errors = v.Fields
		f.Message = v.Error()
		return s.renderDraft(w, r, http.StatusUnprocessableEntity, f)
	case errors.Is(err, notify.ErrOwnApproval), errors.Is(err, notify.ErrDraftState), errors.Is(err, cases.ErrStale):
		msg := err.Error()
		if errors.Is(err, cases.ErrStale) {
			msg = "The draft changed since you loaded it; nothing was saved. It now shows the current version."
		}
		f.Message = msg
		return s.renderDraft(w, r, http.StatusConflict, f)
	}
	return err
}

func (s *Server) draftForm(w http.ResponseWriter, r *http.Request, fields ...string) (cases.Case, int64, int, templates.Form, error) {
	c, id, err := s.caseAnd(r, "draft")
	if err != nil {
		return c, 0, 0, templates.Form{}, err
	}
	f, err := parseForm(w, r, append(fields, "version")...)
	version, _ := strconv.Atoi(f.Get("version"))
	return c, id, version, f, err
}

func (s *Server) draftEdit(w http.ResponseWriter, r *http.Request) error {
	c, id, version, f, err := s.draftForm(w, r, "body")
	if err != nil {
		return err
	}
	err = s.notices.Edit(r.Context(), actor(r), c.ID, id, version, r.PostFormValue("body"))
	return s.draftAction(w, r, err, f, "Saved as a new version.")
}

func (s *Server) draftSubmit(w http.ResponseWriter, r *http.Request) error {
	c, id, version, f, err := s.draftForm(w, r)
	if err != nil {
		return err
	}
	err = s.notices.Review(r.Context(), actor(r), c, id, version, "submit", "", "")
	return s.draftAction(w, r, err, f, "Sent for review.")
}

func (s *Server) draftReview(w http.ResponseWriter, r *http.Request) error {
	c, id, version, f, err := s.draftForm(w, r, "action", "comment", "override")
	if err != nil {
		return err
	}
	err = s.notices.Review(r.Context(), actor(r), c, id, version, f.Get("action"), f.Get("comment"), f.Get("override"))
	return s.draftAction(w, r, err, f, "Review recorded.")
}

// approvedDraft loads the approved version of the draft in the URL. For a
// draft not approved it answers the request itself (the draft page with
// the reason, 409) and returns a nil approval.
func (s *Server) approvedDraft(w http.ResponseWriter, r *http.Request) (cases.Case, notify.Draft, notify.DraftVersion, *notify.Review, error) {
	c, id, err := s.caseAnd(r, "draft")
	if err != nil {
		return c, notify.Draft{}, notify.DraftVersion{}, nil, err
	}
	d, v, approval, err := s.notices.ApprovedBody(r.Context(), c.ID, id)
	if errors.Is(err, notify.ErrDraftState) {
		return c, d, v, nil, s.renderDraft(w, r, http.StatusConflict, templates.Form{Message: "Only an approved version can be printed or exported."})
	}
	return c, d, v, approval, err
}

// draftPrint shows the approved version alone, for printing; it refuses
// drafts not approved and records the export on the timeline.
func (s *Server) draftPrint(w http.ResponseWriter, r *http.Request) error {
	c, d, v, approval, err := s.approvedDraft(w, r)
	if err != nil || approval == nil {
		return err
	}
	if err := s.notices.RecordExport(r.Context(), actor(r), c.ID, d, v, "print view", ""); err != nil {
		return err
	}
	html, err := renderMarkdown(v.Body)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.PrintView(d.Title, html, v.SHA256, approval.Reviewer))
}

// draftDownload sends the approved version as a PDF or DOCX file; it
// refuses drafts not approved and records the file's hash on the timeline.
func (s *Server) draftDownload(w http.ResponseWriter, r *http.Request) error {
	c, d, v, approval, err := s.approvedDraft(w, r)
	if err != nil || approval == nil {
		return err
	}
	l, err := s.notices.LetterFor(r.Context(), c, d, v)
	if err != nil {
		return err
	}
	format := chi.URLParam(r, "format")
	var buf bytes.Buffer
	contentType := "application/pdf"
	if format == "docx" {
		contentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		err = letter.WriteDOCX(&buf, l, v.CreatedAt)
	} else {
		err = letter.WritePDF(&buf, l, v.CreatedAt)
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	if err := s.notices.RecordExport(r.Context(), actor(r), c.ID, d, v, format, hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	sendFile(w, notify.LetterFileName(c, d, v, format), contentType, int64(buf.Len()))
	_, err = buf.WriteTo(w)
	return err
}

// draftMailMerge streams the letters of an approved consumer notice for a
// print-and-mail vendor: a CSV of every addressee, or a ZIP of PDF letters,
// a batch at a time. The export, its reason and its size are on the
// timeline before any address leaves.
func (s *Server) draftMailMerge(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, id, _, f, err := s.draftForm(w, r, "format", "batch", "reason")
	if err != nil {
		return err
	}
	d, v, _, err := s.notices.ApprovedBody(ctx, c.ID, id)
	if errors.Is(err, notify.ErrDraftState) {
		f.Message = "Only an approved version can be mail-merged."
		return s.renderDraft(w, r, http.StatusConflict, f)
	} else if err != nil {
		return err
	}
	aud, err := s.notices.Audience(d)
	if err != nil {
		f.Message = err.Error()
		return s.renderDraft(w, r, http.StatusConflict, f)
	}
	total, err := s.people.CountAudience(ctx, c.ID, aud)
	if err != nil {
		return err
	}
	m := notify.MailMerge{Format: f.Get("format"), Reason: f.Get("reason"), Rows: total}
	var offset, limit int64
	if m.Format == "zip" {
		m.Batch, _ = strconv.Atoi(f.Get("batch"))
		offset, limit = int64(m.Batch-1)*notify.MailMergeBatch, notify.MailMergeBatch
		m.Rows = max(0, min(total-offset, limit))
	}
	if err := s.notices.RecordMailMerge(ctx, actor(r), c.ID, d, v, m); err != nil {
		return s.draftAction(w, r, err, f, "")
	}
	each := func(fn func(residents.Addressee) error) error {
		return s.people.EachAddressee(ctx, c.ID, aud, offset, limit, fn)
	}
	name := strings.TrimSuffix(notify.LetterFileName(c, d, v, "x"), ".x")
	if m.Format == "csv" {
		return notify.WriteMailMergeCSV(&streamedDownload{w: w, name: name + "-mail-merge.csv", ctype: "text/csv; charset=utf-8"}, d.Title, v, each)
	}
	l, err := s.notices.LetterFor(ctx, c, d, v)
	if err != nil {
		return err
	}
	return notify.WriteLetterZIP(&streamedDownload{w: w, name: fmt.Sprintf("%s-letters-batch-%d.zip", name, m.Batch), ctype: "application/zip"},
		l, v.CreatedAt, each)
}
