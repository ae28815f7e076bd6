package notify

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"breachdesk/internal/cases"
)

// AgencyContact is a public agency a consumer notice points residents to.
type AgencyContact struct{ Name, Address, Phone, Web string }

// ftc is the Federal Trade Commission's identity-theft contact, which
// several states require in consumer notices.
var ftc = AgencyContact{"Federal Trade Commission", "600 Pennsylvania Avenue NW, Washington, DC 20580", "1-877-438-4338", "www.identitytheft.gov"}

// stateAGs are the offices of state attorneys general that consumer
// notices of some states must name (the rules data's required items say
// which). Public contact details as the offices publish them; review them
// with the rules.
var stateAGs = map[string]AgencyContact{
	"DC": {"Office of the Attorney General for the District of Columbia", "400 6th Street NW, Washington, DC 20001", "1-202-727-3400", "oag.dc.gov"},
	"IA": {"Office of the Iowa Attorney General, Consumer Protection Division", "1305 E. Walnut Street, Des Moines, IA 50319", "1-515-281-5926", "www.iowaattorneygeneral.gov"},
	"MD": {"Maryland Office of the Attorney General, Identity Theft Unit", "200 St. Paul Place, Baltimore, MD 21202", "1-888-743-0023", "www.marylandattorneygeneral.gov"},
	"NC": {"North Carolina Attorney General's Office, Consumer Protection Division", "9001 Mail Service Center, Raleigh, NC 27699-9001", "1-877-566-7226", "www.ncdoj.gov"},
	"NY": {"New York State Office of the Attorney General", "The Capitol, Albany, NY 12224-0341", "1-800-771-7755", "ag.ny.gov"},
	"OR": {"Oregon Department of Justice (Attorney General)", "1162 Court Street NE, Salem, OR 97301-4096", "1-877-877-9392", "www.doj.state.or.us"},
	"RI": {"Rhode Island Office of the Attorney General", "150 South Main Street, Providence, RI 02903", "1-401-274-4400", "www.riag.ri.gov"},
}

// phoneNumber finds a North American telephone number in a notice.
var phoneNumber = regexp.MustCompile(`(?:\+?1[-. ]?)?\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b`)

// itemChecks turns the statute's required items, as the rules data words
// them, into checks on the notice text, for the items a machine can check:
// agencies' contact details, advice the notice must give, the phone to
// call, the kinds of information, the date of the breach and a law-
// enforcement delay. Items it cannot read (a "general description") are
// left to the reviewer. Each check names the item it comes from.
func itemChecks(items []string, jurisdiction string, c cases.Case, body string, sensitiveIDs bool, loc *time.Location) []CheckResult {
	var out []CheckResult
	seen := map[string]bool{}
	add := func(rule string, pass bool, item string) {
		if seen[rule] {
			return
		}
		seen[rule] = true
		out = append(out, CheckResult{Rule: rule, Pass: pass, Detail: "statute: " + item})
	}
	lower := strings.ToLower(body)
	has := func(s string) bool { return strings.Contains(lower, strings.ToLower(s)) }
	for _, item := range items {
		l := " " + strings.ToLower(item) + " "
		switch {
		case strings.Contains(l, " if ") && (strings.Contains(l, "ssn") || strings.Contains(l, "licen")) && !sensitiveIDs:
			continue // the item applies only when such numbers were exposed
		}
		if strings.Contains(l, "ftc") || strings.Contains(l, "federal trade commission") || strings.Contains(l, "federal agenc") {
			add("The FTC's toll-free number, address and website", has(ftc.Phone) && has("600 Pennsylvania") &&
				(has(ftc.Web) || has("ftc.gov")), item)
		}
		if strings.Contains(l, "attorney general") || strings.Contains(l, " ag ") || strings.Contains(l, " ag,") || strings.Contains(l, "state and federal agencies") {
			ok := has("attorney general") && phoneNumber.MatchString(body)
			if ag, known := stateAGs[jurisdiction]; known {
				ok = has(ag.Phone) && has(ag.Web) // the state's own office, not attorneys general in general
			}
			add("The state attorney general's contact details", ok, item)
		}
		if strings.Contains(l, "cra") || strings.Contains(l, "consumer reporting agenc") || strings.Contains(l, "credit reporting agenc") {
			if strings.Contains(l, "toll-free") || strings.Contains(l, "number") || strings.Contains(l, "contact information") {
				add("The consumer reporting agencies' toll-free numbers", allCRAs(body, func(c CRA) string { return c.Phone }), item)
			}
			if strings.Contains(l, "address") {
				add("The consumer reporting agencies' addresses", allCRAs(body, func(c CRA) string { return c.Address }), item)
			}
			if strings.Contains(l, "website") {
				add("The consumer reporting agencies' websites", allCRAs(body, func(c CRA) string { return c.Web }), item)
			}
		}
		if strings.Contains(l, "fair credit reporting act") {
			add("The rights under the federal Fair Credit Reporting Act", has("fair credit reporting act"), item)
		}
		if strings.Contains(l, "police report") {
			add("The right to a police report", has("police report"), item)
		}
		if strings.Contains(l, "security freeze") {
			add("How to place a security freeze", has("security freeze"), item)
		}
		if strings.Contains(l, "vigilant") || strings.Contains(l, "review account statements") || strings.Contains(l, "reviewing account statements") {
			add("Advice to review account statements and credit reports", has("account statements") && has("credit report"), item)
		}
		if strings.Contains(l, "telephone") || strings.Contains(l, "toll-free number to contact") {
			add("A telephone number to call the organisation", orgPhone(body), item)
		}
		if (strings.Contains(l, "type") || strings.Contains(l, "categor") || strings.Contains(l, "description of the pi") ||
			strings.Contains(l, "personal information involved")) && !strings.Contains(l, "cra") {
			missing := ""
			for _, e := range c.DataElements {
				if label := inSentence(cases.Label(cases.DataElements, e)); !has(label) {
					missing = label
				}
			}
			add("The kinds of information involved", missing == "", item)
		}
		if strings.Contains(l, "date") && strings.Contains(l, "breach") && !strings.Contains(l, "discovered") && c.OccurredFrom != nil {
			add("The date of the breach", has(c.OccurredFrom.In(loc).Format("2 January 2006")), item)
		}
		if strings.Contains(l, "delayed") && strings.Contains(l, "law") && c.LEUntil != nil {
			add("That the notice was delayed for law enforcement", has("delayed"), item)
		}
	}
	return out
}

func allCRAs(body string, field func(CRA) string) bool {
	lower := strings.ToLower(body)
	return !slices.ContainsFunc(nationwideCRAs, func(c CRA) bool { return !strings.Contains(lower, strings.ToLower(field(c))) })
}

// orgPhone reports whether the notice gives a phone number other than the
// agencies' own.
func orgPhone(body string) bool {
	for _, m := range phoneNumber.FindAllString(body, -1) {
		d := digits(m)
		if !slices.ContainsFunc(agencyPhones, func(a string) bool { return strings.HasSuffix(a, d) }) {
			return true
		}
	}
	return false
}

// agencyPhones are the digits of the agencies' numbers a notice may give.
var agencyPhones = func() []string {
	out := []string{digits(ftc.Phone)}
	for _, c := range nationwideCRAs {
		out = append(out, digits(c.Phone))
	}
	for _, ag := range stateAGs {
		out = append(out, digits(ag.Phone))
	}
	return out
}()

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
