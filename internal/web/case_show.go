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
	"breachdesk/internal/residents"
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
	if v.Obligations, err = s.obligationsView(r, c, v.Residents); err != nil {
		return err
	}
	// Every statutory deadline still to meet joins the clock panel.
	for _, o := range v.Obligations.Rows {
		if o.Triggered() && o.Due != nil && !o.Filed() {
			label := o.Jurisdiction + ": " + strings.TrimSpace(obligationLabel(o.Obligation))
			v.Deadlines = append(v.Deadlines, cases.Deadline{Label: label, Due: *o.Due, Source: "law"})
		}
	}
	sort.SliceStable(v.Deadlines[1:], func(a, b int) bool { return v.Deadlines[1+a].Due.Before(v.Deadlines[1+b].Due) })
	if v.Drafts, err = s.notices.Drafts(ctx, c.ID); err != nil {
		return err
	}
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

// obligationsView builds the obligations panel: the accepted set (or the
// live obligations before any acceptance), the differences the current
// facts would make, filtered by the ob_status and ob_where parameters.
func (s *Server) obligationsView(r *http.Request, c cases.Case, counts residents.Counts) (templates.ObligationsView, error) {
	ctx := r.Context()
	var v templates.ObligationsView
	live, _, err := s.notices.ComputeWith(ctx, c, counts)
	if err != nil {
		return v, err
	}
	v.Live, v.Fingerprint = live, notify.Fingerprint(live)
	if v.Set, err = s.notices.Current(ctx, c.ID); err != nil {
		return v, err
	}
	var all []notify.Stored
	if v.Set != nil {
		all = v.Set.Obligations
		v.Changes = notify.Diff(v.Set, live)
	} else {
		for _, o := range live.Obligations {
			all = append(all, notify.Stored{Obligation: o, Key: notify.Key(o)})
		}
	}
	v.Status, v.Where = r.URL.Query().Get("ob_status"), strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("ob_where")))
	for _, o := range all {
		keep := false
		switch v.Status {
		case "all":
			keep = true
		case "":
			keep = o.Status != notify.NotTriggered
		case "open":
			keep = o.Triggered() && !o.Filed()
		default:
			keep = o.Status == v.Status
		}
		if keep && (v.Where == "" || o.Jurisdiction == v.Where) {
			v.Rows = append(v.Rows, o)
		}
	}
	return v, nil
}
