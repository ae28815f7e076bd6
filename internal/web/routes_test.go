package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"breachdesk/internal/auth"
)

// routeAccess is the expected answer of every route to an anonymous
// visitor and to each role, with an empty form for posts. A route added to
// routes.go without a row here fails TestEveryRouteChecksTheRole.
//
// Columns: anonymous, admin, officer, reviewer, auditor. "303 /x" is a
// redirect to /x.
var routeAccess = map[string][5]string{
	"GET /healthz":                           {"200", "200", "200", "200", "200"},
	"GET /readyz":                            {"200", "200", "200", "200", "200"},
	"GET /static/*":                          {"200", "200", "200", "200", "200"},
	"GET /login":                             {"200", "303 /cases", "303 /cases", "303 /cases", "303 /cases"},
	"POST /login":                            {"401", "401", "401", "401", "401"},
	"GET /setup/{token}":                     {"404", "404", "404", "404", "404"},
	"POST /setup/{token}":                    {"404", "404", "404", "404", "404"},
	"POST /logout":                           {"303 /login", "303 /login", "303 /login", "303 /login", "303 /login"},
	"GET /account/password":                  {"303 /login", "200", "200", "200", "200"},
	"POST /account/password":                 {"303 /login", "422", "422", "422", "422"},
	"GET /":                                  {"303 /login", "303 /cases", "303 /cases", "303 /cases", "303 /cases"},
	"GET /cases":                             {"303 /login", "200", "200", "200", "200"},
	"GET /cases/{ref}":                       {"303 /login", "200", "200", "200", "200"},
	"GET /cases/{ref}/evidence/{evidence}":   {"303 /login", "200", "200", "200", "200"},
	"GET /tasks/mine":                        {"303 /login", "200", "200", "200", "200"},
	"GET /cases/{ref}/notices/{draft}":       {"303 /login", "404", "404", "404", "404"},
	"GET /cases/{ref}/notices/{draft}/print": {"303 /login", "404", "404", "404", "404"},
	"GET /cases/{ref}/notices/{draft}/download/{format:pdf|docx}": {"303 /login", "404", "404", "404", "404"},
	"POST /cases/{ref}/notices/{draft}/mail-merge":                {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/notices/{draft}/review":                    {"303 /login", "404", "403", "404", "403"},
	"POST /cases/{ref}/notices":                                   {"303 /login", "409", "409", "403", "403"},
	"POST /cases/{ref}/notices/{draft}/edit":                      {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/notices/{draft}/submit":                    {"303 /login", "404", "404", "403", "403"},
	"GET /cases/{ref}/obligations/filings/{filing}/file":          {"303 /login", "404", "404", "404", "404"},
	"POST /cases/{ref}/obligations/accept":                        {"303 /login", "409", "409", "403", "403"},
	"POST /cases/{ref}/obligations/file":                          {"303 /login", "422", "422", "403", "403"},
	"GET /cases/{ref}/residents":                                  {"303 /login", "200", "200", "200", "200"},
	"GET /cases/{ref}/residents/people":                           {"303 /login", "200", "200", "200", "200"},
	"GET /cases/{ref}/imports/{import}":                           {"303 /login", "404", "404", "404", "404"},
	"GET /cases/{ref}/imports/{import}/progress":                  {"303 /login", "404", "404", "404", "404"},
	"GET /cases/{ref}/imports/{import}/errors.csv":                {"303 /login", "404", "404", "404", "404"},
	"POST /cases/{ref}/imports":                                   {"303 /login", "400", "400", "403", "403"},
	"POST /cases/{ref}/imports/{import}/start":                    {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/imports/{import}/cancel":                   {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/imports/{import}/accept":                   {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/imports/{import}/discard":                  {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/imports/{import}/remove":                   {"303 /login", "404", "404", "403", "403"},
	"POST /cases/{ref}/residents/reveal":                          {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/residents/conflicts":                       {"303 /login", "422", "422", "403", "403"},
	"GET /account":                                                {"303 /login", "200", "200", "200", "200"},
	"POST /account/time-zone":                                     {"303 /login", "422", "422", "422", "422"},
	"GET /cases/new":                                              {"303 /login", "200", "200", "403", "403"},
	"POST /cases":                                                 {"303 /login", "422", "422", "403", "403"},
	"GET /cases/{ref}/edit":                                       {"303 /login", "200", "200", "403", "403"},
	"POST /cases/{ref}/edit":                                      {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/status":                                    {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/notes":                                     {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/clocks":                                    {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/tasks/{task}/status":                       {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/tasks/{task}/evidence":                     {"303 /login", "400", "400", "403", "403"},
	"POST /cases/{ref}/tasks/{task}/environments":                 {"303 /login", "303 /cases/{ref}", "303 /cases/{ref}", "403", "403"},
	"POST /cases/{ref}/tasks/{task}/environments/{env}":           {"303 /login", "422", "422", "403", "403"},
	"POST /cases/{ref}/export":                                    {"303 /login", "200", "200", "403", "200"},
	"GET /verify":                                                 {"303 /login", "200", "200", "403", "200"},
	"POST /verify":                                                {"303 /login", "422", "422", "403", "422"},
	"GET /templates":                                              {"303 /login", "200", "200", "200", "200"},
	"GET /templates/{template}":                                   {"303 /login", "404", "404", "404", "404"},
	"POST /templates/{template}":                                  {"303 /login", "404", "403", "404", "403"},
	"POST /cases/{ref}/purge":                                     {"303 /login", "422", "403", "403", "403"},
	"GET /admin/settings":                                         {"303 /login", "200", "403", "403", "403"},
	"POST /admin/settings":                                        {"303 /login", "422", "403", "403", "403"},
	"GET /admin/playbooks":                                        {"303 /login", "200", "403", "403", "403"},
	"POST /admin/playbooks":                                       {"303 /login", "422", "403", "403", "403"},
	"POST /admin/playbooks/{playbook}/tasks":                      {"303 /login", "422", "403", "403", "403"},
	"POST /admin/playbooks/{playbook}/tasks/{task}/delete":        {"303 /login", "404", "403", "403", "403"},
	"GET /admin/users":                                            {"303 /login", "200", "403", "403", "403"},
	"POST /admin/users":                                           {"303 /login", "422", "403", "403", "403"},
	"POST /admin/users/{id}/role":                                 {"303 /login", "400", "403", "403", "403"},
	"POST /admin/users/{id}/active":                               {"303 /login", "400", "403", "403", "403"},
	"POST /admin/users/{id}/reset-password":                       {"303 /login", "400", "403", "403", "403"},
}

func TestEveryRouteChecksTheRole(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	target := app.user(auth.RoleAuditor)
	c, task, evidence := app.caseWithEvidence()

	var routes []string
	s := &Server{sessions: NewSessionManager(nil, 0, 0, false)}
	err := chi.Walk(s.routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if _, ok := routeAccess[r]; !ok {
			t.Errorf("route %q has no row in routeAccess: say who may reach it", r)
		}
	}
	if len(routes) != len(routeAccess) {
		t.Errorf("routes.go has %d routes, routeAccess %d rows: remove rows of deleted routes", len(routes), len(routeAccess))
	}

	who := []auth.Role{"", auth.RoleAdmin, auth.RoleOfficer, auth.RoleReviewer, auth.RoleAuditor}
	for _, r := range routes {
		method, pattern, _ := strings.Cut(r, " ")
		fill := strings.NewReplacer("{id}", strconv.FormatInt(target.ID, 10), "{token}", "not-a-token",
			"{ref}", c.Reference, "{task}", itoa(task.ID), "{evidence}", itoa(evidence.ID), "{env}", "sandbox", "{playbook}", "999999", "{import}", "999999", "{filing}", "999999", "{draft}", "999999", "{template}", "999999", "{format:pdf|docx}", "pdf", "*", "style.css")
		path := fill.Replace(pattern)
		for i, role := range who {
			want := fill.Replace(routeAccess[r][i])
			name := fmt.Sprintf("%s as %q", r, role)
			c := app.client()
			if role != "" {
				c, _ = app.signedIn(role)
			}
			var res *http.Response
			if method == http.MethodGet {
				res = c.get(path)
			} else {
				res = c.post(path, url.Values{})
			}
			got := strconv.Itoa(res.StatusCode)
			if res.StatusCode/100 == 3 {
				got += " " + location(res)
			}
			if got != want {
				t.Errorf("%s: got %s, want %s", name, got, want)
			}
		}
	}
}
