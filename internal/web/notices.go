package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/yuin/goldmark"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
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
	n, err := s.notices.CreateDrafts(r.Context(), actor(r), c)
	var te *notify.TemplateError
	switch {
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
	if from, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil {
		for _, ver := range d.Versions {
			if ver.Number == from {
				v.Diff, v.DiffFrom = notify.WordDiff(ver.Body, cur.Body), from
			}
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

// draftPrint shows the approved version alone, for printing; it refuses
// drafts not approved and records the export on the timeline.
func (s *Server) draftPrint(w http.ResponseWriter, r *http.Request) error {
	c, id, err := s.caseAnd(r, "draft")
	if err != nil {
		return err
	}
	d, v, approval, err := s.notices.ApprovedBody(r.Context(), c.ID, id)
	if errors.Is(err, notify.ErrDraftState) {
		return s.renderDraft(w, r, http.StatusConflict, templates.Form{Message: "Only an approved version can be printed or exported."})
	} else if err != nil {
		return err
	}
	if err := s.notices.RecordExport(r.Context(), actor(r), c.ID, d, v, "print view"); err != nil {
		return err
	}
	html, err := renderMarkdown(v.Body)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.PrintView(d.Title, html, v.SHA256, approval.Reviewer))
}
