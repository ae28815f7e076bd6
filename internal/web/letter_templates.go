package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/templates"
)

func (s *Server) letterTemplates(w http.ResponseWriter, r *http.Request) error {
	list, err := s.notices.Templates(r.Context())
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, templates.LetterTemplates(s.base(r, "Letter templates", "templates"), list))
}

func (s *Server) letterTemplate(w http.ResponseWriter, r *http.Request) error {
	return s.renderLetterTemplate(w, r, http.StatusOK, templates.Form{})
}

// renderLetterTemplate shows the version named in the URL; f carries a
// refused edit, else the form holds the latest version's text.
func (s *Server) renderLetterTemplate(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "template"), 10, 64)
	if err != nil {
		return errNotFound
	}
	versions, err := s.notices.TemplateVersions(r.Context(), id)
	if err != nil {
		return err
	}
	v := templates.LetterTemplateView{Versions: versions, Form: f, CanEdit: currentUser(r).Can(auth.ActTemplates)}
	for _, t := range versions {
		if t.ID == id {
			v.Shown = t
		}
	}
	if f.Values == nil {
		v.Form = templates.Form{Values: map[string]string{"body": versions[0].Body}}
	}
	if from, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil {
		for _, t := range versions {
			if t.Version == from && from != v.Shown.Version {
				v.Diff, v.DiffFrom = notify.WordDiff(t.Body, v.Shown.Body), from
			}
		}
	}
	return render(w, r, status, templates.LetterTemplate(s.base(r, v.Shown.Name, "templates"), v))
}

// letterTemplateSave stores a new version of a template; one that does not
// parse or fill is refused with the line and the reason, the text kept.
func (s *Server) letterTemplateSave(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "template"), 10, 64)
	if err != nil {
		return errNotFound
	}
	f, err := parseForm(w, r, "version", "body")
	if err != nil {
		return err
	}
	versions, err := s.notices.TemplateVersions(r.Context(), id)
	if err != nil {
		return err
	}
	latest, _ := strconv.Atoi(f.Get("version"))
	saved, err := s.notices.SaveTemplate(r.Context(), actor(r), versions[0].Name, latest, r.PostFormValue("body"))
	var te *notify.TemplateError
	var ve *cases.ValidationError
	switch {
	case err == nil:
		s.logger.InfoContext(r.Context(), "letter template saved", "template", saved.Name, "version", saved.Version, "by", actor(r).Email)
		return s.redirect(w, r, "/templates/"+strconv.FormatInt(saved.ID, 10), fmt.Sprintf("Saved as version %d; new drafts use it.", saved.Version))
	case errors.As(err, &te):
		f.Errors = map[string]string{"body": "Not saved: " + te.Problem + "."}
	case errors.As(err, &ve):
		f.Errors = ve.Fields
	case errors.Is(err, cases.ErrStale):
		f.Message = "Someone saved a new version after you opened this page; nothing was saved. Your text is below; the versions list shows theirs."
		return s.renderLetterTemplate(w, r, http.StatusConflict, f)
	default:
		return err
	}
	return s.renderLetterTemplate(w, r, http.StatusUnprocessableEntity, f)
}
