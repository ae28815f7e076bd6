package residents

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Jurisdiction is a US state, DC, a territory or a military "state", by
// its USPS code.
type Jurisdiction struct {
	Code string
	Name string
	// Kind is "state", "district", "territory" or "military".
	Kind string
}

// Jurisdictions lists every USPS code the importer recognises.
var Jurisdictions = []Jurisdiction{
	{"AL", "Alabama", "state"}, {"AK", "Alaska", "state"}, {"AZ", "Arizona", "state"}, {"AR", "Arkansas", "state"},
	{"CA", "California", "state"}, {"CO", "Colorado", "state"}, {"CT", "Connecticut", "state"}, {"DE", "Delaware", "state"},
	{"DC", "District of Columbia", "district"}, {"FL", "Florida", "state"}, {"GA", "Georgia", "state"}, {"HI", "Hawaii", "state"},
	{"ID", "Idaho", "state"}, {"IL", "Illinois", "state"}, {"IN", "Indiana", "state"}, {"IA", "Iowa", "state"},
	{"KS", "Kansas", "state"}, {"KY", "Kentucky", "state"}, {"LA", "Louisiana", "state"}, {"ME", "Maine", "state"},
	{"MD", "Maryland", "state"}, {"MA", "Massachusetts", "state"}, {"MI", "Michigan", "state"}, {"MN", "Minnesota", "state"},
	{"MS", "Mississippi", "state"}, {"MO", "Missouri", "state"}, {"MT", "Montana", "state"}, {"NE", "Nebraska", "state"},
	{"NV", "Nevada", "state"}, {"NH", "New Hampshire", "state"}, {"NJ", "New Jersey", "state"}, {"NM", "New Mexico", "state"},
	{"NY", "New York", "state"}, {"NC", "North Carolina", "state"}, {"ND", "North Dakota", "state"}, {"OH", "Ohio", "state"},
	{"OK", "Oklahoma", "state"}, {"OR", "Oregon", "state"}, {"PA", "Pennsylvania", "state"}, {"RI", "Rhode Island", "state"},
	{"SC", "South Carolina", "state"}, {"SD", "South Dakota", "state"}, {"TN", "Tennessee", "state"}, {"TX", "Texas", "state"},
	{"UT", "Utah", "state"}, {"VT", "Vermont", "state"}, {"VA", "Virginia", "state"}, {"WA", "Washington", "state"},
	{"WV", "West Virginia", "state"}, {"WI", "Wisconsin", "state"}, {"WY", "Wyoming", "state"},
	{"PR", "Puerto Rico", "territory"}, {"GU", "Guam", "territory"}, {"VI", "U.S. Virgin Islands", "territory"},
	{"AS", "American Samoa", "territory"}, {"MP", "Northern Mariana Islands", "territory"},
	{"AA", "Armed Forces Americas", "military"}, {"AE", "Armed Forces Europe", "military"}, {"AP", "Armed Forces Pacific", "military"},
}

var jurisdictionByCode = func() map[string]Jurisdiction {
	m := map[string]Jurisdiction{}
	for _, j := range Jurisdictions {
		m[j.Code] = j
	}
	return m
}()

// JurisdictionName returns the name of a USPS code, or the code itself.
func JurisdictionName(code string) string {
	if j, ok := jurisdictionByCode[code]; ok {
		return j.Name
	}
	return code
}

// stateAliases maps normalised state text (see squash) to USPS codes:
// names, common abbreviations and old spellings.
var stateAliases = func() map[string]string {
	m := map[string]string{}
	for _, j := range Jurisdictions {
		m[squash(j.Code)] = j.Code
		m[squash(j.Name)] = j.Code
	}
	for alias, code := range map[string]string{
		"ala": "AL", "alaska": "AK", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "cali": "CA",
		"colo": "CO", "col": "CO", "conn": "CT", "del": "DE", "washingtondc": "DC", "dc": "DC", "districtofcolumbia": "DC",
		"washdc": "DC", "fla": "FL", "flor": "FL", "ga": "GA", "hawaii": "HI", "ida": "ID", "ill": "IL", "ills": "IL",
		"ind": "IN", "kan": "KS", "kans": "KS", "ken": "KY", "kent": "KY", "ky": "KY", "la": "LA", "me": "ME",
		"md": "MD", "mass": "MA", "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO", "mont": "MT",
		"neb": "NE", "nebr": "NE", "nev": "NV", "nh": "NH", "nj": "NJ", "nm": "NM", "nmex": "NM", "newmex": "NM",
		"ny": "NY", "nyc": "NY", "newyorkstate": "NY", "nc": "NC", "ncar": "NC", "nd": "ND", "ndak": "ND",
		"okla": "OK", "ore": "OR", "oreg": "OR", "pa": "PA", "penn": "PA", "penna": "PA", "ri": "RI",
		"sc": "SC", "scar": "SC", "sd": "SD", "sdak": "SD", "tenn": "TN", "tex": "TX", "ut": "UT", "vt": "VT",
		"va": "VA", "virg": "VA", "wash": "WA", "washingtonstate": "WA", "wva": "WV", "wvirg": "WV", "wis": "WI",
		"wisc": "WI", "wyo": "WY", "pr": "PR", "puertorico": "PR", "commonwealthofpuertorico": "PR",
		"guam": "GU", "virginislands": "VI", "usvirginislands": "VI", "usvi": "VI", "virginislandsoftheunitedstates": "VI",
		"americansamoa": "AS", "northernmarianaislands": "MP", "cnmi": "MP", "northernmarianas": "MP",
		"armedforcesamericas": "AA", "armedforceseurope": "AE", "armedforcespacific": "AP",
		"armedforcesafrica": "AE", "armedforcesmiddleeast": "AE", "armedforcescanada": "AE",
	} {
		m[alias] = code
	}
	return m
}()

// squash lower-cases s and drops everything but letters and digits, so
// "N.Y.", "n y" and "NY" compare equal.
func squash(s string) string {
	var buf [64]byte
	return string(squashInto(buf[:0], s))
}

// squashInto is squash writing into b, so hot lookups need not allocate
// (m[string(b)] does not copy).
func squashInto(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r+'a'-'A'))
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return b
}

// NormalizeState returns the USPS code for free state text ("Calif.",
// "new york", " ca "), or "" when it is not a US state, DC, territory or
// military code.
func NormalizeState(s string) string {
	var buf [64]byte
	return stateAliases[string(squashInto(buf[:0], s))]
}

// countryAliases maps normalised country text to ISO 3166-1 alpha-2.
var countryAliases = map[string]string{
	"us": "US", "usa": "US", "unitedstates": "US", "unitedstatesofamerica": "US", "america": "US",
	"theunitedstates": "US", "theunitedstatesofamerica": "US", "estadosunidos": "US", "usofa": "US", "unitedstatesus": "US",
	"ca": "CA", "can": "CA", "canada": "CA",
	"mx": "MX", "mex": "MX", "mexico": "MX", "méxico": "MX",
	"gb": "GB", "uk": "GB", "unitedkingdom": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
	"northernireland": "GB", "gbr": "GB",
	"ie": "IE", "ireland": "IE", "irl": "IE", "de": "DE", "deu": "DE", "germany": "DE", "deutschland": "DE",
	"fr": "FR", "fra": "FR", "france": "FR", "es": "ES", "esp": "ES", "spain": "ES", "españa": "ES", "espana": "ES",
	"it": "IT", "ita": "IT", "italy": "IT", "italia": "IT", "nl": "NL", "nld": "NL", "netherlands": "NL", "holland": "NL",
	"thenetherlands": "NL", "be": "BE", "belgium": "BE", "at": "AT", "austria": "AT", "ch": "CH", "switzerland": "CH",
	"se": "SE", "sweden": "SE", "no": "NO", "norway": "NO", "dk": "DK", "denmark": "DK", "fi": "FI", "finland": "FI",
	"pl": "PL", "poland": "PL", "pt": "PT", "portugal": "PT", "gr": "GR", "greece": "GR", "cz": "CZ", "czechia": "CZ",
	"czechrepublic": "CZ", "hu": "HU", "hungary": "HU", "ro": "RO", "romania": "RO", "bg": "BG", "bulgaria": "BG",
	"hr": "HR", "croatia": "HR", "si": "SI", "slovenia": "SI", "sk": "SK", "slovakia": "SK", "lu": "LU", "luxembourg": "LU",
	"ee": "EE", "estonia": "EE", "lv": "LV", "latvia": "LV", "lt": "LT", "lithuania": "LT", "cy": "CY", "cyprus": "CY",
	"mt": "MT", "malta": "MT", "is": "IS", "iceland": "IS", "li": "LI", "liechtenstein": "LI",
	"au": "AU", "australia": "AU", "nz": "NZ", "newzealand": "NZ", "jp": "JP", "japan": "JP", "cn": "CN", "china": "CN",
	"in": "IN", "india": "IN", "br": "BR", "brazil": "BR", "brasil": "BR", "ar": "AR", "argentina": "AR",
	"il": "IL", "israel": "IL", "sg": "SG", "singapore": "SG", "kr": "KR", "southkorea": "KR", "korea": "KR",
	"za": "ZA", "southafrica": "ZA", "ph": "PH", "philippines": "PH", "co": "CO", "colombia": "CO", "cl": "CL", "chile": "CL",
	"ae": "AE", "unitedarabemirates": "AE", "uae": "AE",
	// US territories written as countries are US jurisdictions (see territoryCountry).
	"pr": "PR", "puertorico": "PR", "gu": "GU", "guam": "GU", "vi": "VI", "usvirginislands": "VI", "virginislandsus": "VI",
	"as": "AS", "americansamoa": "AS", "mp": "MP", "northernmarianaislands": "MP",
}

// territoryCountry are ISO country codes that are US jurisdictions.
var territoryCountry = map[string]bool{"PR": true, "GU": true, "VI": true, "AS": true, "MP": true}

// NormalizeCountry returns the ISO 3166-1 alpha-2 code for country text,
// or "" when unrecognised. Besides the names in the table it accepts any
// ISO 3166-1 alpha-2 or alpha-3 code (golang.org/x/text/language knows
// them).
func NormalizeCountry(s string) string {
	var buf [64]byte
	kb := squashInto(buf[:0], s)
	if c, ok := countryAliases[string(kb)]; ok {
		return c
	}
	k := string(kb)
	if len(k) == 2 || len(k) == 3 {
		if r, err := language.ParseRegion(k); err == nil && r.IsCountry() {
			return r.String()
		}
	}
	return ""
}

// canadianProvinces maps squashed province names and codes to their codes,
// so a Canadian address with a blank country is not taken as American.
var canadianProvinces = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range []string{"AB", "Alberta", "BC", "British Columbia", "MB", "Manitoba", "NB", "New Brunswick",
		"NL", "Newfoundland and Labrador", "Newfoundland", "NS", "Nova Scotia", "NT", "Northwest Territories", "NU", "Nunavut",
		"ON", "Ontario", "PE", "Prince Edward Island", "QC", "Quebec", "Québec", "SK", "Saskatchewan", "YT", "Yukon"} {
		m[squash(p)] = true
	}
	return m
}()

// canadianPostal matches a Canadian postal code (A1A 1A1).
func canadianPostal(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if (i%2 == 0 && !letter) || (i%2 == 1 && !digit) {
			return false
		}
	}
	return true
}
