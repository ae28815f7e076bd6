package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"breachdesk/internal/auth"
	"breachdesk/internal/cases"
	"breachdesk/internal/notify"
	"breachdesk/templates"
)

func (s *Server) caseShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, http.StatusOK, "", templates.Form{})
}

// renderCase renders the case page with status; actionErr and f explain a
// refused form of the page.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, actionErr string, f templates.Form) error {
	ctx := r.Context()
	c, err := s.cases.Get(ctx, caseRef(r))
	if err != nil {
		return err
	}
	q := url.Values{}
	if k := r.URL.Query().Get("kind"); k != "" {
		q.Set("kind", k)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	v := templates.CaseView{Case: c, Now: time.Now(), CanEdit: currentUser(r).Can(auth.ActEditCases),
		ActionError: actionErr, Form: f, TimelineQuery: q, TimelinePage: page}
	if v.CanEdit {
		if v.Owners, err = s.editors(r); err != nil {
			return err
		}
	}
	if v.Residents, err = s.people.Counts(ctx, c.ID); err != nil {
		return err
	}
	if v.Deadlines, err = s.cases.Deadlines(ctx, c); err != nil {
		return err
	}
	states := map[string]int64{}
	for _, st := range v.Residents.States {
		states[st.Code] = st.Count
	}
	if v.Obligations, err = notify.Evaluate(notify.Input{Facts: c.Facts, States: states}, s.rules); err != nil {
		return err
	}
	// Every statutory deadline joins the clock panel.
	for _, o := range v.Obligations.Obligations {
		if o.Triggered() && o.Due != nil {
			label := o.Jurisdiction + ": " + strings.TrimSpace(obligationLabel(o))
			v.Deadlines = append(v.Deadlines, cases.Deadline{Label: label, Due: *o.Due, Source: "law"})
		}
	}
	sort.SliceStable(v.Deadlines[1:], func(a, b int) bool { return v.Deadlines[1+a].Due.Before(v.Deadlines[1+b].Due) })
	if v.Tasks, err = s.cases.Tasks(ctx, c.ID); err != nil {
		return err
	}
	evidence, err := s.cases.Evidence(ctx, c.ID)
	if err != nil {
		return err
	}
	v.Evidence = map[int64][]cases.Evidence{}
	for _, e := range evidence {
		v.Evidence[e.TaskID] = append(v.Evidence[e.TaskID], e)
	}
	if v.Envs, err = s.cases.Environments(ctx, c.ID); err != nil {
		return err
	}
	if v.Timeline, err = s.cases.Timeline(ctx, c.ID, cases.TimelineFilter{Kind: q.Get("kind"), Page: page, PerPage: 50}); err != nil {
		return err
	}
	return render(w, r, status, templates.CasePage(s.base(r, c.Reference, "cases"), v))
}

func obligationLabel(o notify.Obligation) string {
	switch o.Recipient {
	case "individuals":
		return "notice to affected residents"
	case "cras":
		return "notice to the consumer reporting agencies"
	}
	return "notice to " + o.To
}
